import type {FlagSpecs} from '../command.js'
import {credentials, shared} from '../messages.js'

/** Registry flags every registry-facing command takes. */
export const registryFlagSpecs = {
  'allow-insecure-registry': {kind: 'boolean', description: shared.allowInsecure, default: false},
  'allow-http-registry': {kind: 'boolean', description: shared.allowHttp, default: false},
  'attachment-tag-prefix': {kind: 'string', description: shared.attachmentTagPrefix, default: ''},
  // Explicit credentials (see shared/registry.ts for the precedence).
  'registry-username': {kind: 'string', description: credentials.username},
  'registry-password': {kind: 'string', description: credentials.password},
  'registry-token': {kind: 'string', description: credentials.token},
} as const satisfies FlagSpecs
