/**
 * Checking a blob's digest while it streams, in constant memory: the counterpart of
 * content-digest.ts for bytes that are never all in memory.
 */
import {createHash} from 'node:crypto'
import {Transform, type Readable} from 'node:stream'
import {parseDigest} from '@sigil/core'
import {ociError} from './error.js'

/** A pass-through that hashes and counts what passes; `result()` once it ended. */
export function hashingTransform(algorithm: string): {readonly stream: Transform; result(): {readonly digest: string; readonly size: number}} {
  const hash = createHash(algorithm)
  let size = 0
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      hash.update(chunk)
      done(null, chunk)
    },
  })
  return {stream, result: () => ({digest: `${algorithm}:${hash.digest('hex')}`, size})}
}

/**
 * `source` passed through, counted and hashed: over `size` bytes → RESPONSE_TOO_LARGE at once;
 * at the end, another size or digest → DIGEST_MISMATCH (the stream errors instead of ending).
 */
export function verifyingStream(source: Readable, digest: string, size: number, subject: string, onBytes?: (count: number) => void): Readable {
  const {algorithm} = parseDigest(digest)
  const hash = createHash(algorithm)
  let total = 0
  // The last chunk is held back until the digest is known: a consumer (an upload with its
  // Content-Length, a file) never receives the complete bytes of a blob that does not match.
  let held: Buffer | undefined
  const check = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length
      if (total > size) {
        done(ociError('RESPONSE_TOO_LARGE', `${subject}: more than the ${size} bytes its descriptor declares`, {details: {limit: size}}))
        return
      }
      hash.update(chunk)
      onBytes?.(chunk.length)
      const previous = held
      held = chunk
      done(null, previous)
    },
    flush(done) {
      const actual = `${algorithm}:${hash.digest('hex')}`
      if (total !== size) done(ociError('DIGEST_MISMATCH', `${subject}: the registry sent ${total} bytes, its descriptor declares ${size}`, {details: {expected: digest, size, received: total}}))
      else if (actual !== digest) done(ociError('DIGEST_MISMATCH', `${subject}: the registry sent content with digest ${actual}`, {details: {expected: digest, actual}}))
      else done(null, held)
    },
  })
  source.on('error', (err) => check.destroy(err))
  check.on('close', () => {
    if (!source.readableEnded) source.destroy()
  })
  return source.pipe(check)
}
