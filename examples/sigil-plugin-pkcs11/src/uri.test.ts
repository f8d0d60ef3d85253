import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, test, vi} from 'vitest'
import {isPkcs11Uri, parsePkcs11Uri, percentDecode, redactPkcs11Uri, resolveModulePath, resolvePin} from './uri.js'

describe('isPkcs11Uri', () => {
  test.each([
    ['pkcs11:token=a;object=b', true],
    ['PKCS11:object=b', true],
    ['pkcs11:', true],
    ['pkcs11://token=a', false],
    ['awskms:///alias/x', false],
    ['cosign.key', false],
    ['./pkcs11:object=x', false],
  ])('%s → %s', (ref, expected) => {
    expect(isPkcs11Uri(ref)).toBe(expected)
  })
})

describe('parsePkcs11Uri', () => {
  test.each([
    ['pkcs11:token=sigil-test;object=release', {token: 'sigil-test', object: 'release'}],
    ['pkcs11:object=my%20key;token=My%20Token', {token: 'My Token', object: 'my key'}],
    ['pkcs11:id=%01%02%ff', {id: Uint8Array.from([1, 2, 255])}],
    ['pkcs11:id=A', {id: Uint8Array.from([0x41])}],
    ['pkcs11:type=private;object=k', {type: 'private', object: 'k'}],
    ['pkcs11:slot-id=2071633767;object=k', {slotId: 2071633767, object: 'k'}],
    ['pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;serial=2f1a', {manufacturer: 'SoftHSM project', model: 'SoftHSM v2', serial: '2f1a'}],
    ['pkcs11:object=k?pin-value=1234', {object: 'k', pinValue: '1234'}],
    ['pkcs11:object=k?pin-value=a%26b%3Dc', {object: 'k', pinValue: 'a&b=c'}],
    ['pkcs11:object=k?pin-source=/run/pin.txt', {object: 'k', pinSource: '/run/pin.txt'}],
    ['pkcs11:object=k?pin-source=file:///run/pin.txt', {object: 'k', pinSource: 'file:///run/pin.txt'}],
    ['pkcs11:object=k?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1', {object: 'k', modulePath: '/usr/lib/softhsm/libsofthsm2.so', pinValue: '1'}],
    ['pkcs11:object=%C3%A9t%C3%A9', {object: 'été'}],
    ['pkcs11:object=été', {object: 'été'}],
    ['pkcs11:object=k;x-vendor=1', {object: 'k'}],
    ['pkcs11:object=k;library-description=x', {object: 'k'}],
    ['pkcs11:', {}],
    ['pkcs11:object=k;', {object: 'k'}],
  ])('%s', (ref, expected) => {
    expect(parsePkcs11Uri(ref)).toEqual(expected)
  })

  test.each([
    ['pkcs11://token=a', /not a pkcs11: URI/],
    ['file.key', /not a pkcs11: URI/],
    ['pkcs11:object=k;object=j', /"object" given twice/],
    ['pkcs11:colour=red', /unknown pkcs11 URI path attribute "colour"/],
    ['pkcs11:object=k?pin=1', /unknown pkcs11 URI query attribute "pin"/],
    ['pkcs11:object', /expected name=value/],
    ['pkcs11:=x', /expected name=value/],
    ['pkcs11:object=%zz', /invalid percent-encoding "%zz"/],
    ['pkcs11:object=%4', /invalid percent-encoding/],
    ['pkcs11:object=%ff%fe', /not valid UTF-8/],
    ['pkcs11:type=secret', /invalid pkcs11 URI type "secret"/],
    ['pkcs11:slot-id=-1', /slot-id "-1": expected a decimal number/],
    ['pkcs11:slot-id=abc', /slot-id/],
    ['pkcs11:id=', /"id" is empty/],
    ['pkcs11:object=k?pin-value=1&pin-source=/p', /pin-value or pin-source, not both/],
    ['pkcs11:object=k?module-name=softhsm2', /module-name is not supported/],
    ['pkcs11:object=k?module-path=', /"module-path" is empty/],
    ['pkcs11:object=k#frag', /no fragment/],
  ])('%s is rejected', (ref, message) => {
    expect(() => parsePkcs11Uri(ref)).toThrow(expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringMatching(message)}))
  })

  test('errors never echo the PIN', () => {
    expect(() => parsePkcs11Uri('pkcs11://x?pin-value=s3cret')).toThrow(expect.objectContaining({message: expect.not.stringContaining('s3cret')}))
  })
})

test.each([
  ['pkcs11:object=k?pin-value=1234', 'pkcs11:object=k?pin-value=***'],
  ['pkcs11:object=k?module-path=/m.so&pin-value=1234&x-a=b', 'pkcs11:object=k?module-path=/m.so&pin-value=***&x-a=b'],
  ['pkcs11:object=k', 'pkcs11:object=k'],
])('redactPkcs11Uri(%s)', (ref, expected) => {
  expect(redactPkcs11Uri(ref)).toBe(expected)
})

test('percentDecode keeps bytes that are not UTF-8', () => {
  expect([...percentDecode('%00a%80', 'x')]).toEqual([0, 0x61, 0x80])
})

describe('resolveModulePath', () => {
  test.each([
    [{modulePath: '/uri.so'}, {SIGIL_PKCS11_MODULE: '/sigil.so', COSIGN_PKCS11_MODULE_PATH: '/cosign.so'}, '/uri.so'],
    [{}, {SIGIL_PKCS11_MODULE: '/sigil.so', COSIGN_PKCS11_MODULE_PATH: '/cosign.so'}, '/sigil.so'],
    [{}, {COSIGN_PKCS11_MODULE_PATH: '/cosign.so'}, '/cosign.so'],
  ])('%o with %o → %s', (uri, env, expected) => {
    expect(resolveModulePath(uri, env)).toBe(expected)
  })
  test('none names the variables to set', () => {
    expect(() => resolveModulePath({}, {})).toThrow(
      expect.objectContaining({code: 'INVALID_ARGUMENT', message: expect.stringMatching(/module-path=.*SIGIL_PKCS11_MODULE.*COSIGN_PKCS11_MODULE_PATH/)}),
    )
  })
})

describe('resolvePin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-pkcs11-pin-'))
  const pinFile = join(dir, 'pin.txt')
  writeFileSync(pinFile, '4321\n')
  const ask = () => vi.fn(async () => new TextEncoder().encode('prompted'))

  test.each([
    ['pin-value wins', {pinValue: '1111'}, {COSIGN_PKCS11_PIN: '2222'}, '1111'],
    ['pin-source path (trailing newline dropped)', {pinSource: pinFile}, {COSIGN_PKCS11_PIN: '2222'}, '4321'],
    ['pin-source file: URI', {pinSource: pathToFileURL(pinFile).href}, {}, '4321'],
    ['COSIGN_PKCS11_PIN', {}, {COSIGN_PKCS11_PIN: '2222'}, '2222'],
  ])('%s', async (_name, uri, env, expected) => {
    const getPassword = ask()
    expect(await resolvePin(uri, 'pkcs11:object=k', {getPassword}, env)).toBe(expected)
    expect(getPassword).not.toHaveBeenCalled()
  })

  test('otherwise the host is asked, once, without confirmation', async () => {
    const getPassword = ask()
    expect(await resolvePin({}, 'pkcs11:object=k', {getPassword}, {})).toBe('prompted')
    expect(getPassword).toHaveBeenCalledExactlyOnceWith({purpose: 'decrypt', keyRef: 'pkcs11:object=k', confirm: false})
  })

  test('no PIN anywhere is PASSWORD_REQUIRED naming the ways to give one', async () => {
    await expect(resolvePin({token: 't'}, 'pkcs11:token=t', {}, {})).rejects.toMatchObject({
      code: 'PASSWORD_REQUIRED',
      message: expect.stringMatching(/token=t.*pin-value or pin-source.*COSIGN_PKCS11_PIN/),
    })
  })

  test.each([
    [join(dir, 'absent.txt'), /cannot read the PIN from pin-source .*absent\.txt: ENOENT/],
    ['https://example.com/pin', /unsupported pin-source/],
    ['file://remote-host/pin', /invalid pin-source URI/],
  ])('pin-source %s fails clearly', async (pinSource, message) => {
    await expect(resolvePin({pinSource}, 'pkcs11:object=k', {}, {})).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(message)})
  })
})
