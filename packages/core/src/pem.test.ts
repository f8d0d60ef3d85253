import {readFileSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {decodePem, encodePem, isPrivateKeyPemType, isPublicKeyPemType} from './pem.js'

const vectors = new URL('../../../../shared/spec/vectors/', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, vectors), 'utf8')

const publicKeyFiles = [
  'policy-controller-example/cosign.pub',
  'containers-image-cosign-valid/cosign.pub',
  'containers-image-cosign-key-rekor-valid/cosign2.pub',
  'cosign-keys-test/pemcosignkey.DERIVED.pub',
]

describe('encodePem', () => {
  test.each(publicKeyFiles)('re-encodes %s byte for byte (Go layout)', (file) => {
    const text = read(file)
    const block = decodePem(text)!
    expect(encodePem(block.type, block.bytes)).toBe(text)
  })

  test('writes 64-char lines, a short last line and a trailing newline', () => {
    const pem = encodePem('TEST', new Uint8Array(90))
    const lines = pem.split('\n')
    expect(lines[0]).toBe('-----BEGIN TEST-----')
    expect(lines[1]).toHaveLength(64)
    expect(lines[2]).toHaveLength(120 - 64)
    expect(lines[3]).toBe('-----END TEST-----')
    expect(lines[4]).toBe('')
  })

  test('an empty body has no body lines (like Go)', () => {
    expect(encodePem('X', new Uint8Array(0))).toBe('-----BEGIN X-----\n-----END X-----\n')
    expect(decodePem('-----BEGIN X-----\n-----END X-----\n')?.bytes).toEqual(new Uint8Array(0))
  })
})

describe('decodePem', () => {
  const body = encodePem('PUBLIC KEY', new Uint8Array([1, 2, 3, 4, 5]))

  test.each([
    ['plain', body],
    ['CRLF line endings', body.replace(/\n/g, '\r\n')],
    ['text before the block', `comment line\n${body}`],
    ['no trailing newline', body.trimEnd()],
    ['a later block is ignored', body + encodePem('OTHER', new Uint8Array([9]))],
    ['spaces in the body', body.replace('AQIDBAU=', 'AQID BAU=')],
    ['bytes input', new TextEncoder().encode(body)],
  ])('reads %s', (_name, input) => {
    const block = decodePem(input)
    expect(block?.type).toBe('PUBLIC KEY')
    expect(Array.from(block!.bytes)).toEqual([1, 2, 3, 4, 5])
  })

  test('reads RFC 1421 headers', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n'
    const block = decodePem(pem)
    expect(block?.headers).toEqual({'Proc-Type': '4,ENCRYPTED', 'DEK-Info': 'AES-256-CBC,00'})
    expect(Array.from(block!.bytes)).toEqual([0, 1, 2])
  })

  test('skips a malformed block and finds the next one', () => {
    const pem = '-----BEGIN A-----\n*bad*\n-----END A-----\n' + body
    expect(decodePem(pem)?.type).toBe('PUBLIC KEY')
  })

  test.each([
    ['no PEM at all', 'hello'],
    ['empty', ''],
    ['truncated (no END line)', body.slice(0, body.indexOf('-----END'))],
    ['END of another type', body.replace('END PUBLIC KEY', 'END PRIVATE KEY')],
    ['corrupt base64', body.replace('AQIDBAU=', 'AQIDBA*=')],
    ['bad padding', body.replace('AQIDBAU=', 'AQIDBAU')],
    ['BEGIN not at line start', `x${body}`],
  ])('returns undefined for %s', (_name, input) => {
    expect(decodePem(input)).toBeUndefined()
  })
})

test.each([
  ['PUBLIC KEY', true, false],
  ['RSA PUBLIC KEY', true, false],
  ['ENCRYPTED SIGSTORE PRIVATE KEY', false, true],
  ['EC PRIVATE KEY', false, true],
  ['CERTIFICATE', false, false],
])('%s: public %s, private %s', (type, isPublic, isPrivate) => {
  expect(isPublicKeyPemType(type)).toBe(isPublic)
  expect(isPrivateKeyPemType(type)).toBe(isPrivate)
})
