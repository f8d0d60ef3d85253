import type {FlagSpecs} from './flag-spec.js'
import {shared} from '../messages.js'

/** Registry flags every registry-facing command takes. */
export const registryFlagSpecs = {
  'allow-insecure-registry': {kind: 'boolean', description: shared.allowInsecure, default: false},
  'allow-http-registry': {kind: 'boolean', description: shared.allowHttp, default: false},
  'attachment-tag-prefix': {kind: 'string', description: shared.attachmentTagPrefix, default: ''},
} as const satisfies FlagSpecs
