import {describe, expect, test} from 'vitest'
import * as testkit from './index.js'

const EXPORTS = [
  'attachmentStoreAddTests',
  'attachmentStoreBasicTests',
  'attachmentStoreDeleteTests',
  'attachmentStoreFaultTests',
  'attachmentStoreIsolationTests',
  'attachmentStoreListTests',
  'attachmentStoreManyTests',
  'attachmentStoreReadTests',
  'attachmentStoreSuite',
  'keyProviderSuite',
  'memoryAttachmentStore',
  'registryAdapterSuite',
]

describe('@sigil/testkit public surface', () => {
  test('runtime exports are exactly these', () => {
    expect(Object.keys(testkit).sort()).toEqual(EXPORTS)
  })
})
