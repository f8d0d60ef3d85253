import {describe, expect, test} from 'vitest'
import {SigilError, isSigilError} from './errors.js'
import {lazyModule} from './lazy-module.js'

describe('lazyModule', () => {
  test('imports once, on the first call, and shares the module', async () => {
    let calls = 0
    const load = lazyModule(
      () => {
        calls++
        return import('./go-json.js')
      },
      {name: 'go-json'},
    )
    expect(calls).toBe(0)
    const [a, b] = await Promise.all([load(), load()])
    expect(calls).toBe(1)
    expect(a).toBe(b)
    expect(typeof a.goMarshal).toBe('function')
    await load()
    expect(calls).toBe(1)
  })

  test('a missing package is a PLUGIN_FAILED SigilError naming it, what needs it, and that it must be installed', async () => {
    const load = lazyModule(() => import('@sigil/no-such-package' as string), {name: '@sigil/no-such-package', neededFor: 'nothing at all'})
    const err = await load().catch((e: unknown) => e)
    expect(isSigilError(err)).toBe(true)
    expect(err).toMatchObject({code: 'PLUGIN_FAILED'})
    expect((err as Error).message).toMatch(/^cannot load @sigil\/no-such-package \(needed for nothing at all\): .*no-such-package.*; install @sigil\/no-such-package next to sigil$/)
    expect((err as Error).cause).toMatchObject({code: 'ERR_MODULE_NOT_FOUND'})
  })

  test('a failure is not remembered: the next call tries again', async () => {
    let calls = 0
    const load = lazyModule(async () => {
      calls++
      if (calls === 1) throw new Error('first attempt fails')
      return 'loaded'
    }, {name: 'flaky'})
    await expect(load()).rejects.toThrow('cannot load flaky: first attempt fails')
    await expect(load()).resolves.toBe('loaded')
    expect(calls).toBe(2)
  })

  test('a synchronous throw of the loader is a rejection too', async () => {
    const load = lazyModule(() => {
      throw new TypeError('boom')
    }, {name: 'sync'})
    await expect(load()).rejects.toThrow('cannot load sync: boom')
  })

  test('the caller chooses the error', async () => {
    class ProviderError extends SigilError {}
    const load = lazyModule(() => Promise.reject(new Error('no binding')), {
      name: 'pkcs11js',
      error: (message, cause) => new ProviderError('KMS_ERROR', message, {cause}),
    })
    const err = await load().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProviderError)
    expect(err).toMatchObject({code: 'KMS_ERROR', message: 'cannot load pkcs11js: no binding'})
  })
})
