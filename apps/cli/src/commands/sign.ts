import {Args} from '@oclif/core'
import {signAction, signFlags} from '../actions/sign.js'
import type {SignFlags, SignResultJson} from '../actions/sign.js'
import {BaseCommand} from '../shared/base-command.js'
import {toOclifFlags} from '../shared/oclif-flags.js'
import {sign as text} from '../messages.js'

export default class Sign extends BaseCommand<SignResultJson> {
  static override summary = text.summary
  static override description = text.description
  static override examples = text.examples
  static override strict = false
  static override args = {image: Args.string({description: 'Image reference(s) to sign.', required: true})}
  static override flags = toOclifFlags(signFlags)

  public async run(): Promise<SignResultJson> {
    const {argv, flags} = await this.parse(Sign)
    return signAction(flags as unknown as SignFlags, argv as string[], this.io())
  }
}
