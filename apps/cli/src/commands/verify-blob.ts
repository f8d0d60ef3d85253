import {SigilError, decodeStdBase64, parseBlobBundle} from '@sigil/core'
import type {HashAlgorithm} from '@sigil/core'
import {verifyBlob} from '@sigil/signing'
import type {BlobInput, BlobSignatureSource} from '@sigil/signing'
import {defineCommand} from '../command.js'
import {keyContext, keyProviderFor} from '../shared/command-io.js'
import type {CliKeyContext} from '../shared/command-io.js'
import {timeoutFlagSpec} from '../shared/flags.js'
import {progressBar} from '../shared/progress.js'
import {shared} from '../messages/shared.js'
import {verifyBlob as text} from '../messages/verify-blob.js'
import {writeStderr} from '../shared/stdio.js'

/** What `verify-blob --json` prints (only on success: a failure is an error with its exit code). */
export interface VerifyBlobResultJson {
  verified: true
  /** SHA-256 of the file, `sha256:<hex>`. */
  digest: string
  size: number
  /** What was checked: `signature`, `legacy-bundle` (cosign 2) or `sigstore-bundle` (cosign 3). */
  format: 'signature' | 'legacy-bundle' | 'sigstore-bundle'
  /** The bundle file, with --bundle. */
  bundle?: string
}

/** Largest signature or bundle file read (bundles are a few kB; sigstore's own limit is far below this). */
const MAX_SIGNATURE_FILE_BYTES = 16 * 1024 * 1024

async function readSmallFile(path: string, what: string): Promise<Uint8Array> {
  const {open} = process.getBuiltinModule('node:fs/promises')
  let handle
  try {
    handle = await open(path, 'r')
    const st = await handle.stat()
    if (st.isDirectory()) throw Object.assign(new Error('it is a directory'), {code: 'EISDIR'})
    if (st.size > MAX_SIGNATURE_FILE_BYTES) throw new SigilError('RESPONSE_TOO_LARGE', `the ${what} ${path} is ${st.size} bytes, more than a ${what} can be (${MAX_SIGNATURE_FILE_BYTES})`)
    return new Uint8Array(await handle.readFile())
  } catch (err) {
    if (err instanceof SigilError) throw err
    const e = err as NodeJS.ErrnoException
    const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message
    throw new SigilError(e.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_READ_FAILED', text.readFailed(what, path, reason), {cause: err})
  } finally {
    await handle?.close().catch(() => {})
  }
}

/**
 * `--signature` as cosign reads it (spec §7.1): an https:// URL, a file, or else the base64
 * itself; content that is not base64 is the raw signature.
 */
async function signatureFrom(value: string, ctx: CliKeyContext): Promise<Uint8Array> {
  let content: Uint8Array
  if (/^https?:\/\//i.test(value)) {
    if (!ctx.fetchUrl) throw new SigilError('INVALID_ARGUMENT', 'signature URLs cannot be fetched here')
    content = await ctx.fetchUrl(value, 'signature')
  } else {
    const {existsSync} = process.getBuiltinModule('node:fs')
    if (!existsSync(value)) {
      // Not a file: the base64 itself (raw bytes cannot be given on a command line).
      const literal = decodeStdBase64(value)
      if (literal === undefined) throw new SigilError('FILE_NOT_FOUND', text.signatureNotFound(value))
      return literal
    }
    content = await readSmallFile(value, 'signature')
  }
  return decodeStdBase64(new TextDecoder('utf-8', {fatal: false}).decode(content)) ?? content
}

/** `sigil verify-blob`: check a file against a signature or bundle with a key, in one pass. */
export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  args: [{name: 'file', description: text.file, required: true}],
  flags: {
    key: {kind: 'string', char: 'k', description: shared.pubKey, required: true},
    signature: {kind: 'string', description: text.signature},
    bundle: {kind: 'string', description: text.bundle},
    'insecure-ignore-tlog': {kind: 'boolean', description: text.ignoreTlog, allowNo: true, default: false},
    'signature-digest-algorithm': {kind: 'string', description: text.digestAlgorithm, options: ['sha224', 'sha256', 'sha384', 'sha512'], default: 'sha256'},
    offline: {kind: 'boolean', description: text.accepted, allowNo: true, hidden: true},
    'new-bundle-format': {kind: 'boolean', description: text.accepted, allowNo: true, hidden: true},
    'use-signed-timestamps': {kind: 'boolean', description: text.accepted, allowNo: true, hidden: true},
    'private-infrastructure': {kind: 'boolean', description: text.accepted, allowNo: true, hidden: true},
    timeout: {...timeoutFlagSpec.timeout, description: text.timeout},
  },
  async run({flags, args, io}): Promise<VerifyBlobResultJson> {
    const file = args[0]
    if (file === undefined || file === '') throw new SigilError('INVALID_ARGUMENT', 'no file given: sigil verify-blob --key KEY --signature SIG FILE (or - for standard input)')
    if (flags.signature === undefined && flags.bundle === undefined) throw new SigilError('INVALID_ARGUMENT', text.needOne)
    if (flags.signature !== undefined && flags.bundle !== undefined) throw new SigilError('INVALID_ARGUMENT', text.notBoth)
    const ctx = keyContext(io, {timeout: flags.timeout})
    // The signature or bundle first: a bad one is reported without loading the key or reading the file.
    const source: BlobSignatureSource =
      flags.bundle !== undefined ? {bundle: parseBlobBundle(await readSmallFile(flags.bundle, 'bundle'))} : {signature: await signatureFrom(flags.signature!, ctx)}
    const input: BlobInput = file === '-' ? {stream: process.stdin, name: 'standard input'} : {path: file}
    const provider = await keyProviderFor(io, flags.key)
    const verifier = provider.verifier(flags.key, ctx)
    verifier.catch(() => {}) // awaited (and reported) by verifyBlob
    const progress = progressBar(io, `Verifying ${file === '-' ? 'standard input' : file}`)
    let result
    try {
      result = await verifyBlob(input, source, {verifier, hash: flags['signature-digest-algorithm'] as HashAlgorithm, onProgress: (done, total) => progress.update(done, total)})
    } finally {
      progress.done()
    }
    if (!io.json) writeStderr(`${text.verifiedOk}\n`)
    return {verified: true, digest: `sha256:${result.sha256}`, size: result.size, format: result.format, ...(flags.bundle !== undefined && {bundle: flags.bundle})}
  },
})
