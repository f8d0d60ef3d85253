import {describe, expect, test} from 'vitest'
import * as testkit from './index.js'

describe('@sigil/testkit public surface', () => {
  test('runtime exports are exactly these', () => {
    expect(Object.keys(testkit).sort()).toEqual(['keyProviderSuite', 'registryAdapterSuite'])
  })
})
