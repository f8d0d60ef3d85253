import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {thrown} from '../test/thrown.js'
import {buildLegacyBlobBundle, parseBlobBundle} from './blob-bundle.js'
import {decodeStdBase64} from './base64.js'

const vectors = new URL('../../../../shared/spec/vectors/cosign3/', import.meta.url)
const readVector = (path: string) => new Uint8Array(readFileSync(new URL(path, vectors)))
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('buildLegacyBlobBundle', () => {
  test('is byte for byte what cosign 2.5 sign-blob --bundle wrote (legacy/artifact.txt.bundle)', () => {
    const vector = readVector('legacy/artifact.txt.bundle')
    const sig = decodeStdBase64(text(readVector('legacy/artifact.txt.sig')))!
    expect(text(buildLegacyBlobBundle(sig))).toBe(text(vector))
  })
})

describe('parseBlobBundle', () => {
  test('reads cosign 2.5\'s legacy bundle: the signature, no cert, no rekor bundle', () => {
    const parsed = parseBlobBundle(readVector('legacy/artifact.txt.bundle'))
    expect(parsed.format).toBe('legacy')
    if (parsed.format !== 'legacy') return
    expect(parsed.legacy.signature).toEqual(decodeStdBase64(text(readVector('legacy/artifact.txt.sig'))))
    expect(parsed.legacy.cert).toBeUndefined()
    expect(parsed.legacy.rekorBundle).toBeUndefined()
  })

  test('reads cosign 3.1.1\'s v0.3 bundle with its message digest', () => {
    const parsed = parseBlobBundle(readVector('blob/artifact.txt.sigstore.json'))
    expect(parsed.format).toBe('sigstore-bundle')
    if (parsed.format !== 'sigstore-bundle') return
    expect(parsed.bundle.messageSignature?.messageDigest?.algorithm).toBe('SHA2_256')
    expect(Buffer.from(parsed.bundle.messageSignature!.messageDigest!.digest).toString('hex')).toBe('0cfd62bc14dac0a973f68f0e5b64795bb8d237ad0a12bb28568c3eb539bcb96d')
  })

  test('a cert and a rekor bundle in a legacy bundle are kept', () => {
    const parsed = parseBlobBundle('{"base64Signature":"AQID","cert":"LS0t","rekorBundle":{"SignedEntryTimestamp":"x"}}')
    expect(parsed).toEqual({format: 'legacy', legacy: {signature: new Uint8Array([1, 2, 3]), cert: new TextEncoder().encode('---'), rekorBundle: {SignedEntryTimestamp: 'x'}}})
  })

  test.each([
    ['truncated', '{"base64Signature":"AQ', 'not-json'],
    ['not JSON at all', 'MEUCIQ…', 'not-json'],
    ['a JSON array', '[1]', 'invalid'],
    ['an object of neither format', '{"signature":"AQID"}', 'unknown-format'],
    ['an empty signature', '{"base64Signature":""}', 'no-signatures'],
    ['a signature that is not base64', '{"base64Signature":"%%%"}', 'bad-base64'],
    ['a signature that is not a string', '{"base64Signature":5}', 'invalid'],
    ['a cert that is not base64', '{"base64Signature":"AQID","cert":"%"}', 'bad-base64'],
  ])('%s: INVALID_PAYLOAD (%s)', (_, input, reason) => {
    const err = thrown(() => parseBlobBundle(input))
    expect(err.code).toBe('INVALID_PAYLOAD')
    expect(err.details?.reason).toBe(reason)
    expect(err.message).toMatch(/^invalid bundle: /)
  })

  test('a sigstore bundle with a DSSE envelope (an image signature) is not a blob bundle', () => {
    const err = thrown(() => parseBlobBundle(readVector('image/bundle.json')))
    expect(err.code).toBe('INVALID_PAYLOAD')
    expect(err.details?.reason).toBe('not-a-blob-bundle')
  })

  test('a sigstore bundle of an unknown media type keeps parseSigstoreBundle\'s reason', () => {
    const err = thrown(() => parseBlobBundle('{"mediaType":"application/x"}'))
    expect(err.details?.reason).toBe('unknown-media-type')
  })
})
