import {SigilError} from '@sigil/core'
import {describe, expect, test} from 'vitest'
import {explainEcrError, isEcrImmutableTagError} from './immutable-tags.js'

const ECR_MESSAGE =
  "The image tag 'sha256-abc.sig' already exists in the 'app' repository and cannot be overwritten because the repository is immutable."

function registryError(status: number, registryErrors: Array<{code: string; message: string}>) {
  return new SigilError('REGISTRY_ERROR', `registry error: PUT … → ${status}`, {details: {status, method: 'PUT', url: 'http://x', registryErrors}})
}

describe('isEcrImmutableTagError', () => {
  test.each([
    ['ECR TAG_INVALID immutable', registryError(400, [{code: 'TAG_INVALID', message: ECR_MESSAGE}]), true],
    ['TAG_INVALID "cannot be overwritten"', registryError(400, [{code: 'TAG_INVALID', message: 'tag cannot be overwritten'}]), true],
    ['other code mentioning immutable', registryError(400, [{code: 'DENIED', message: 'repository is immutable'}]), true],
    ['distribution TAG_INVALID (tag mismatch)', registryError(400, [{code: 'TAG_INVALID', message: 'manifest tag did not match URI'}]), false],
    ['a 500 mentioning immutable', registryError(500, [{code: 'UNKNOWN', message: 'immutable'}]), false],
    ['MANIFEST_INVALID', registryError(400, [{code: 'MANIFEST_INVALID', message: 'manifest invalid'}]), false],
    ['plain Error', new Error('immutable'), false],
    ['a string', 'immutable', false],
  ])('%s → %s', (_label, err, expected) => {
    expect(isEcrImmutableTagError(err)).toBe(expected)
  })
})

describe('explainEcrError', () => {
  test('rewrites the refusal with the fix, keeping the original as cause', () => {
    const original = registryError(400, [{code: 'TAG_INVALID', message: ECR_MESSAGE}])
    const err = explainEcrError(original, {repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app', tag: 'sha256-abc.sig'}) as SigilError
    expect(err).not.toBe(original)
    expect(err.code).toBe('REGISTRY_ERROR')
    expect(err.cause).toBe(original)
    expect(err.message).toMatch(/^ECR refused to overwrite tag sha256-abc\.sig in 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/team\/app: the repository has immutable tags/)
    expect(err.message).toContain('COSIGN_REPOSITORY=')
    expect(err.message).toContain('aws ecr put-image-tag-mutability --repository-name team/app --image-tag-mutability MUTABLE')
    expect(err.details).toMatchObject({status: 400, quirk: 'ecr-immutable-tags', tag: 'sha256-abc.sig'})
  })

  test('anything else passes through unchanged', () => {
    const other = registryError(400, [{code: 'MANIFEST_INVALID', message: 'bad'}])
    expect(explainEcrError(other)).toBe(other)
    const plain = new Error('x')
    expect(explainEcrError(plain)).toBe(plain)
  })
})
