import type {FlagSpecs} from '../command.js'
import {credentials} from '../messages/credentials.js'
import {shared} from '../messages/shared.js'

/** cosign's `--timeout`: the whole command, every registry and KMS operation in it, ends within it. */
export const timeoutFlagSpec = {
  timeout: {kind: 'string', char: 't', description: shared.timeout, default: '3m'},
} as const satisfies FlagSpecs

/** Registry flags every registry-facing command takes. */
export const registryFlagSpecs = {
  ...timeoutFlagSpec,
  'allow-insecure-registry': {kind: 'boolean', description: shared.allowInsecure, default: false},
  'allow-http-registry': {kind: 'boolean', description: shared.allowHttp, default: false},
  'attachment-tag-prefix': {kind: 'string', description: shared.attachmentTagPrefix, default: ''},
  // Explicit credentials (see shared/registry.ts for the precedence).
  'registry-username': {kind: 'string', description: credentials.username},
  'registry-password': {kind: 'string', description: credentials.password},
  'registry-token': {kind: 'string', description: credentials.token},
} as const satisfies FlagSpecs
