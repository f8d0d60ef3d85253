import {expect, test} from 'vitest'
import * as api from './index.js'

test('the public surface', () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      'MODULE_ENV_VARS',
      'PIN_ENV_VAR',
      'derToRaw',
      'isPkcs11Uri',
      'parsePkcs11Uri',
      'percentDecode',
      'pkcs11Provider',
      'rawToDer',
      'redactPkcs11Uri',
      'resolveModulePath',
      'resolvePin',
      'sigilPlugin',
    ].sort(),
  )
  expect(api.MODULE_ENV_VARS).toEqual(['SIGIL_PKCS11_MODULE', 'COSIGN_PKCS11_MODULE_PATH'])
  expect(api.PIN_ENV_VAR).toBe('COSIGN_PKCS11_PIN')
})

test('the hook contributes one provider for the pkcs11 scheme', async () => {
  const plugin = await api.sigilPlugin()
  expect(plugin.name).toBe('sigil-plugin-pkcs11')
  expect(plugin.keyProviders?.map((p) => [p.name, p.schemes])).toEqual([['pkcs11', ['pkcs11']]])
  const p = plugin.keyProviders![0]!
  expect(p.handles('pkcs11:token=a;object=b')).toBe(true)
  expect(p.handles('pkcs11://x')).toBe(false)
  expect(p.handles('awskms:///x')).toBe(false)
  expect(typeof p.generate).toBe('function')
})
