import {Args} from '@oclif/core'
import {verifyAction, verifyFlags} from '../actions/verify.js'
import type {VerifyFlags, VerifyResultJson} from '../actions/verify.js'
import {BaseCommand} from '../shared/base-command.js'
import {toOclifFlags} from '../shared/oclif-flags.js'
import {verify as text} from '../messages.js'

export default class Verify extends BaseCommand<VerifyResultJson> {
  static override summary = text.summary
  static override description = text.description
  static override examples = text.examples
  static override strict = false
  static override args = {image: Args.string({description: 'Image reference(s) to verify.', required: true})}
  static override flags = toOclifFlags(verifyFlags)

  public async run(): Promise<VerifyResultJson> {
    const {argv, flags} = await this.parse(Verify)
    return verifyAction(flags as unknown as VerifyFlags, argv as string[], this.io())
  }
}
