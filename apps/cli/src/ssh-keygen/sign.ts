/**
 * `sigil-ssh-keygen -Y sign`: what git's SSH signing asks of `ssh-keygen`, with a sigil key. It
 * prints exactly what ssh-keygen prints on success (git reads FILE.sig and, on failure, stderr).
 */
import {SigilError, signSshsig, sshPublicKeyBlob} from '@sigil/core'
import type {KeyContext, PublicKeyInfo} from '@sigil/core'
import type {CommandIO} from '../command.js'
import {writeFileAtomic} from '@sigil/oci'
import {keyContext, keyProviderFor} from '../shared/command-io.js'
import {readAllStdin, processSources} from '../shared/password.js'
import {parseSigningKeyFile} from '../shared/ssh-key.js'
import {writeStderr, writeStdout} from '../shared/stdio.js'
import {gitKeyCache} from '../messages/git-key-cache.js'
import {sshKey} from '../messages/ssh-key.js'
import {sshKeygen as text} from '../messages/ssh-keygen.js'
import {parseSignArgs} from './args.js'
import {Deadline, timeLimit} from './deadline.js'
import {passwordSource} from './tty-password.js'

async function readMessage(file: string): Promise<Uint8Array> {
  if (file === '-') return readAllStdin(processSources())
  const {readFile} = process.getBuiltinModule('node:fs/promises')
  return readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new SigilError('INVALID_ARGUMENT', text.cannotRead(file, err.code === 'ENOENT' ? 'no such file' : err.message))
  })
}

async function writeSignature(file: string, armored: string): Promise<void> {
  await writeFileAtomic(file, armored, 0o644, {overwrite: false}).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST') throw new SigilError('KEY_WRITE_FAILED', text.sigExists(file))
    throw new SigilError('KEY_WRITE_FAILED', `cannot write ${file}: ${err.message}`, {cause: err})
  })
}

/** Run `-Y sign` for `argv`. Errors are thrown (the caller prints one line). */
export async function sshSign(argv: readonly string[], io: CommandIO): Promise<void> {
  const request = parseSignArgs(argv)
  const {readFile} = process.getBuiltinModule('node:fs/promises')
  const content = await readFile(request.keyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new SigilError('INVALID_ARGUMENT', text.cannotRead(request.keyFile, err.code === 'ENOENT' ? 'no such file' : err.message))
  })
  const named = parseSigningKeyFile(content, request.keyFile, {literal: request.literal})
  const deadline = new Deadline(timeLimit())
  const timed = <T>(p: Promise<T>): Promise<T> => Promise.race([p, deadline.expired])
  try {
    const provider = await keyProviderFor(io, named.keyRef)
    // Nothing but ssh-keygen's own lines may reach stderr: providers' notes are dropped.
    // One process per signature: a KMS key (by id, alias or key name) is taken from the cache
    // after the first, every signature checked by the provider.
    const base = keyContext(io)
    const real = base.cache
    let cacheHit = false
    const ctx: KeyContext = {
      ...base,
      ...(real && {
        cache: {
          get: (k: string) => {
            const value = real.get(k)
            if (value !== undefined) cacheHit = true
            return value
          },
          set: (k: string, v: string) => real.set(k, v),
        },
      }),
      reuseCachedSigningKey: true,
      getPassword: passwordSource(deadline),
      confirm: () => Promise.resolve(false),
      log: () => undefined,
    }
    const matches = (key: PublicKeyInfo) => Buffer.compare(sshPublicKeyBlob(key), named.blob) === 0
    let signer = await timed(provider.signer(named.keyRef, ctx))
    let key = await timed(signer.publicKey())
    if (!matches(key) && cacheHit && real) {
      // A cached key that is not the file's (an alias moved, and git setup run again): ask KMS, keeping its answer.
      signer = await timed(provider.signer(named.keyRef, {...ctx, cache: {get: () => undefined, set: (k, v) => real.set(k, v)}}))
      key = await timed(signer.publicKey())
    }
    if (!matches(key)) {
      // The cache held a key for this reference that is not the file's: the key behind it changed.
      if (cacheHit) throw new SigilError('KMS_INTEGRITY', gitKeyCache.keyMoved(named.keyRef, request.keyFile))
      throw new SigilError('INVALID_ARGUMENT', sshKey.keyMismatch(request.keyFile, named.keyRef))
    }
    for (const file of request.files) {
      const message = await readMessage(file)
      if (!request.quiet) writeStderr(file === '-' ? text.signingStdin : text.signingFile(file))
      const armored = await timed(signSshsig(signer, message, {namespace: request.namespace, hash: request.hash, publicKey: key}))
      // The provider found the key re-pointed while signing and signed with the new one: the
      // signature would carry the file's (old) key, and git would reject it.
      if (!matches(await timed(signer.publicKey()))) throw new SigilError('KMS_INTEGRITY', gitKeyCache.keyMoved(named.keyRef, request.keyFile))
      if (file === '-') {
        writeStdout(armored)
        continue
      }
      await writeSignature(`${file}.sig`, armored)
      if (!request.quiet) writeStderr(text.wrote(`${file}.sig`))
    }
  } finally {
    deadline.stop()
  }
}
