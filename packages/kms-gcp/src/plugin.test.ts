import {describe, expect, test} from 'vitest'
import sigilPlugin from './plugin.js'

describe('sigilPlugin', () => {
  test('returns the package name and one gcpkms key provider', async () => {
    const plugin = await sigilPlugin()
    expect(plugin.name).toBe('@sigil/kms-gcp')
    expect(plugin.keyProviders?.map((p) => p.name)).toEqual(['gcpkms'])
    expect(plugin.keyProviders?.[0]?.schemes).toEqual(['gcpkms'])
    expect(plugin.registryAdapters).toBeUndefined()
  })
})
