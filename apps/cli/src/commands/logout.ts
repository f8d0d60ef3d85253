import {Args} from '@oclif/core'
import {BaseCommand} from '../shared/base-command.js'
import {info} from '../shared/command-io.js'
import {credentials} from '../messages.js'

const text = credentials.logout

/** What `logout --json` prints. */
export interface LogoutResultJson {
  registry: string
  configFile: string
  /** False when nothing was stored for the registry. */
  removed: boolean
}

export default class Logout extends BaseCommand<LogoutResultJson> {
  static override summary = text.summary
  static override examples = text.examples
  static override args = {registry: Args.string({description: text.registry, required: true})}

  public async run(): Promise<LogoutResultJson> {
    const {args} = await this.parse(Logout)
    const {eraseLogin} = await import('@sigil/oci')
    const result = await eraseLogin(args.registry)
    info(this.io(), result.removed ? text.removed(result.key) : text.notLoggedIn(result.key))
    return {registry: result.key, configFile: result.file, removed: result.removed}
  }
}
