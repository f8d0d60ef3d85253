/**
 * The OpenSSH public-key line that names a sigil key (git's `user.signingKey`): the key in
 * OpenSSH form, the sigil key reference as its comment.
 */
import {dirname, isAbsolute, resolve} from 'node:path'
import {SigilError, parseSshPublicKey} from '@sigil/core'
import {sshKey as text} from '../messages/ssh-key.js'

/** A reference with a scheme (`awskms://…`, `pkcs11:…`, `env://…`); anything else is a file path. */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i

/**
 * The reference as it goes into a public-key line: a file path made absolute (git runs the
 * signing program from wherever it is run). A PKCS#11 PIN is refused: the line is shared.
 */
export function referenceForSshComment(keyRef: string, cwd = process.cwd()): string {
  if (/[?;&]pin-value=/i.test(keyRef)) throw new SigilError('INVALID_ARGUMENT', text.pinInReference)
  if (/\s/.test(keyRef)) throw new SigilError('INVALID_ARGUMENT', text.spaceInReference(keyRef))
  return SCHEME.test(keyRef) || isAbsolute(keyRef) ? keyRef : resolve(cwd, keyRef)
}

/** What a public-key file says: the key and the sigil key reference in its comment. */
export interface SigningKeyFile {
  readonly blob: Uint8Array
  readonly keyRef: string
}

/**
 * Read a `user.signingKey` file. A relative file reference is taken relative to the file's own
 * folder (or to `cwd` for git's temporary copy of a `key::` literal).
 */
export function parseSigningKeyFile(content: string, path: string, options: {literal: boolean; cwd?: string}): SigningKeyFile {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(content)) throw new SigilError('INVALID_ARGUMENT', text.privateKeyFile(path))
  const key = parseSshPublicKey(content, path)
  if (key.comment === '') throw new SigilError('INVALID_ARGUMENT', text.noReference(path))
  const base = options.literal ? (options.cwd ?? process.cwd()) : dirname(resolve(options.cwd ?? process.cwd(), path))
  const keyRef = SCHEME.test(key.comment) || isAbsolute(key.comment) ? key.comment : resolve(base, key.comment)
  return {blob: key.blob, keyRef}
}
