import {Flags} from '@oclif/core'
import {shared} from '../messages.js'

/** Registry flags every registry-facing command takes. */
export const registryFlags = {
  'allow-insecure-registry': Flags.boolean({description: shared.allowInsecure, default: false}),
  'allow-http-registry': Flags.boolean({description: shared.allowHttp, default: false}),
  'attachment-tag-prefix': Flags.string({description: shared.attachmentTagPrefix, default: ''}),
}
