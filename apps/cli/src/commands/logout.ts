import {eraseLogin} from '@sigil/oci'
import {defineCommand} from '../command.js'
import {info} from '../shared/command-io.js'
import {credentials} from '../messages/credentials.js'

const text = credentials.logout

/** What `logout --json` prints. */
export interface LogoutResultJson {
  registry: string
  configFile: string
  /** False when nothing was stored for the registry. */
  removed: boolean
}

export default defineCommand({
  summary: text.summary,
  examples: text.examples,
  args: [{name: 'registry', description: text.registry, required: true}],
  flags: {},
  async run({args, io}): Promise<LogoutResultJson> {
    const result = await eraseLogin(args[0]!)
    info(io, result.removed ? text.removed(result.key) : text.notLoggedIn(result.key))
    return {registry: result.key, configFile: result.file, removed: result.removed}
  },
})
