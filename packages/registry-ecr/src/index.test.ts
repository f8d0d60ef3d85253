import {describe, expect, test} from 'vitest'
import * as ecr from './index.js'

describe('@sigil/registry-ecr public surface', () => {
  test('runtime exports are exactly these', () => {
    expect(Object.keys(ecr).sort()).toEqual(
      [
        'ECR_CAPABILITIES',
        'ECR_HOST_PATTERNS',
        'ECR_PUBLIC_HOST',
        'EcrError',
        'ecrAdapter',
        'explainEcrError',
        'isEcrHost',
        'isEcrImmutableTagError',
        'parseEcrHost',
        'toEcrAuthError',
      ].sort(),
    )
  })
})
