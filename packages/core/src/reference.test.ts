import {thrown} from '../test/thrown.js'
import {describe, expect, test} from 'vitest'
import {DEFAULT_REGISTRY, DEFAULT_TAG, isValidTag, parseReference, parseRepository, withDigest, withTag} from './reference.js'

const D1 = `sha256:${'a'.repeat(64)}`
const D2 = 'sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00'
const TAG128 = 'T'.repeat(128)


describe('parseReference', () => {
  describe('when the reference is valid', () => {
    test.each([
      // input, registry, repository, tag, digest
      ['ubuntu', 'index.docker.io', 'library/ubuntu', 'latest', undefined],
      ['ubuntu:22.04', 'index.docker.io', 'library/ubuntu', '22.04', undefined],
      ['library/ubuntu', 'index.docker.io', 'library/ubuntu', 'latest', undefined],
      ['docker.io/ubuntu', 'index.docker.io', 'library/ubuntu', 'latest', undefined],
      ['docker.io/library/ubuntu:22.04', 'index.docker.io', 'library/ubuntu', '22.04', undefined],
      ['index.docker.io/ubuntu', 'index.docker.io', 'library/ubuntu', 'latest', undefined],
      ['bitnami/redis:7.2', 'index.docker.io', 'bitnami/redis', '7.2', undefined],
      ['docker.io/bitnami/redis', 'index.docker.io', 'bitnami/redis', 'latest', undefined],
      ['ghcr.io/org/app:v1', 'ghcr.io', 'org/app', 'v1', undefined],
      ['gcr.io/google.com/project/hello', 'gcr.io', 'google.com/project/hello', 'latest', undefined],
      ['localhost/foo', 'localhost', 'foo', 'latest', undefined],
      ['localhost:5000/foo', 'localhost:5000', 'foo', 'latest', undefined],
      ['127.0.0.1:5000/a/b/c:tag', '127.0.0.1:5000', 'a/b/c', 'tag', undefined],
      ['192.168.64.2:5000/cosign-signed-single-sample', '192.168.64.2:5000', 'cosign-signed-single-sample', 'latest', undefined],
      ['[::1]:5000/foo:v2', '[::1]:5000', 'foo', 'v2', undefined],
      ['my.registry:443/org/app', 'my.registry:443', 'org/app', 'latest', undefined],
      ['Registry.Example.COM/foo', 'Registry.Example.COM', 'foo', 'latest', undefined],
      ['example.com/foo_bar/baz-qux.v2:1.0.0-rc.1', 'example.com', 'foo_bar/baz-qux.v2', '1.0.0-rc.1', undefined],
      ['example.com/a__b/c---d', 'example.com', 'a__b/c---d', 'latest', undefined],
      ['ubuntu:Latest_V1', 'index.docker.io', 'library/ubuntu', 'Latest_V1', undefined],
      ['ubuntu:-odd.', 'index.docker.io', 'library/ubuntu', '-odd.', undefined],
      [`ubuntu:${TAG128}`, 'index.docker.io', 'library/ubuntu', TAG128, undefined],
      // ggcr reads a lone host:port as repository:tag on Docker Hub
      ['localhost:5000', 'index.docker.io', 'library/localhost', '5000', undefined],
      ['gcr.io', 'index.docker.io', 'library/gcr.io', 'latest', undefined],
      [`foo/bar@${D1}`, 'index.docker.io', 'foo/bar', undefined, D1],
      [`localhost:5000/foo@${D2}`, 'localhost:5000', 'foo', undefined, D2],
      // with both, the digest wins and the tag is dropped
      [`ubuntu:22.04@${D1}`, 'index.docker.io', 'library/ubuntu', undefined, D1],
      [`localhost:5000/x/y:v1@${D2}`, 'localhost:5000', 'x/y', undefined, D2],
    ])('%s', (input, registry, repository, tag, digest) => {
      const ref = parseReference(input)
      const repositoryName = `${registry}/${repository}`
      expect(ref).toEqual({
        registry,
        repository,
        repositoryName,
        ...(tag !== undefined && {tag}),
        ...(digest !== undefined && {digest}),
        name: digest ? `${repositoryName}@${digest}` : `${repositoryName}:${tag}`,
      })
    })

    test('a 255-character repository is accepted', () => {
      const path = `org/${'a'.repeat(251)}`
      expect(parseReference(`ghcr.io/${path}`).repository).toBe(path)
    })

    test('the 255-character limit counts the library/ prefix (as ggcr does)', () => {
      const name = 'a'.repeat(247)
      expect(parseReference(name).repository).toBe(`library/${name}`)
    })

    test.each(['a.b', 'a_b', 'a__b', 'a-b', 'a---b', 'a1.b2_c3__d4-e5'])('the spec separators are accepted: %s', (component) => {
      expect(parseReference(`ghcr.io/org/${component}`).repository).toBe(`org/${component}`)
    })

    test('exports the defaults it applies', () => {
      expect(DEFAULT_REGISTRY).toBe('index.docker.io')
      expect(DEFAULT_TAG).toBe('latest')
    })
  })

  describe('when the reference is invalid', () => {
    test.each([
      ['', 'the reference is empty'],
      ['Ubuntu', 'repository must be lowercase ("Ubuntu"; did you mean "ubuntu"?)'],
      ['ghcr.io/Org/App:v1', 'repository must be lowercase ("Org/App"; did you mean "org/app"?)'],
      ['docker.io/Library/ubuntu', 'repository must be lowercase'],
      ['gcr.io/', 'the repository name is empty'],
      ['localhost:5000/', 'the repository name is empty'],
      [':v1', 'the repository name is empty'],
      ['foo/', 'empty path component'],
      ['ghcr.io/org/app/', 'empty path component'],
      ['foo//bar', 'empty path component'],
      ['/foo', 'empty path component'],
      ['foo/../bar', 'path component ".." must start and end'],
      ['foo/./bar', 'path component "." must start and end'],
      ['-foo/bar', 'path component "-foo" must start and end'],
      ['foo/bar_', 'path component "bar_" must start and end'],
      ['x', 'repository "x" must be 2 to 255 characters long'],
      ['ghcr.io/x', 'repository "x" must be 2 to 255 characters long'],
      [`ghcr.io/org/${'a'.repeat(252)}`, 'must be 2 to 255 characters long'],
      [`${'a'.repeat(248)}`, 'must be 2 to 255 characters long'],
      ['foo/a..b', 'path component "a..b" may join letters and digits only with'],
      ['a___b', 'path component "a___b" may join'],
      ['ghcr.io/org/a._b', 'path component "a._b" may join'],
      ['foo bar', 'contains " "'],
      ['foo/b@r', 'is not a digest'],
      ['ubuntu:', 'the tag after ":" is empty'],
      ['ubuntu:bad!tag', 'tag "bad!tag" may only contain'],
      [`ubuntu:${TAG128}x`, 'the tag is 129 characters long; at most 128'],
      ['ghcr.io/org/app:v1:v2', 'contains ":"'],
      ['ubuntu@sha256:abc', '"sha256:abc" is not a digest'],
      [`ubuntu@${D1.toUpperCase()}`, 'is not a digest'],
      [`ubuntu@sha512:${'b'.repeat(128)}`, 'unsupported digest algorithm "sha512"'],
      [`ubuntu@${D1}@${D1}`, 'more than one "@"'],
      [`ubuntu:bad tag@${D1}`, 'tag "bad tag" may only contain'],
      [`@${D1}`, 'the repository name is empty'],
      ['https://ghcr.io/org/app', 'remove the URL scheme'],
      ['http://localhost:5000/app', 'remove the URL scheme'],
      ['localhost:abc/foo', '"localhost:abc" is not a valid registry host[:port]'],
      ['user:pw@host.io/foo', 'is not a digest'],
      ['bad_host.io:5000:1/foo', 'is not a valid registry'],
    ])('%j → %s', (input, problem) => {
      const err = thrown(() => parseReference(input))
      expect(err.code).toBe('INVALID_REFERENCE')
      expect(err.details).toEqual({reference: input})
      expect(err.message).toContain(`invalid image reference "${input}": `)
      expect(err.message).toContain(problem)
    })
  })
})

describe('parseRepository', () => {
  test.each([
    ['gcr.io/other/sigs', 'gcr.io', 'other/sigs'],
    ['ubuntu', 'index.docker.io', 'library/ubuntu'],
    ['docker.io/org/sigs', 'index.docker.io', 'org/sigs'],
    ['localhost:5000/sigs', 'localhost:5000', 'sigs'],
  ])('%s', (input, registry, repository) => {
    expect(parseRepository(input)).toEqual({registry, repository, repositoryName: `${registry}/${repository}`})
  })

  test.each([
    ['', 'the repository is empty'],
    ['gcr.io/other/sigs:v1', 'contains ":"'],
    [`gcr.io/other/sigs@${D1}`, 'contains "@"'],
    ['gcr.io/Other/Sigs', 'repository must be lowercase'],
    ['gcr.io/other/', 'empty path component'],
  ])('rejects %j', (input, problem) => {
    const err = thrown(() => parseRepository(input))
    expect(err.code).toBe('INVALID_REFERENCE')
    expect(err.message).toContain(problem)
  })
})

describe('withDigest and withTag', () => {
  const tagged = parseReference('ghcr.io/org/app:v1')

  test('withDigest replaces the tag with the digest', () => {
    expect(withDigest(tagged, D2)).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
      repositoryName: 'ghcr.io/org/app',
      digest: D2,
      name: `ghcr.io/org/app@${D2}`,
    })
  })

  test('withTag replaces the digest with the tag', () => {
    const pinned = parseReference(`ghcr.io/org/app@${D1}`)
    expect(withTag(pinned, 'sha256-abc.sig')).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
      repositoryName: 'ghcr.io/org/app',
      tag: 'sha256-abc.sig',
      name: 'ghcr.io/org/app:sha256-abc.sig',
    })
  })

  test('both accept a bare repository', () => {
    const repo = parseRepository('gcr.io/other/sigs')
    expect(withTag(repo, 'v2').name).toBe('gcr.io/other/sigs:v2')
    expect(withDigest(repo, D1).name).toBe(`gcr.io/other/sigs@${D1}`)
  })

  test.each([
    ['withDigest', () => withDigest(tagged, 'sha256:short'), 'is not a digest'],
    ['withDigest', () => withDigest(tagged, `sha512:${'c'.repeat(128)}`), 'unsupported digest algorithm'],
    ['withTag', () => withTag(tagged, ''), 'the tag after ":" is empty'],
    ['withTag', () => withTag(tagged, 'has space'), 'may only contain'],
  ])('%s rejects bad input', (_, fn, problem) => {
    const err = thrown(fn)
    expect(err.code).toBe('INVALID_REFERENCE')
    expect(err.message).toContain(problem)
  })
})

describe('isValidTag', () => {
  test.each([
    ['latest', true],
    ['sha256-abc.sig', true],
    [TAG128, true],
    [`${TAG128}x`, false],
    ['', false],
    ['a:b', false],
    ['a/b', false],
    ['ünï', false],
  ])('%j → %s', (tag, expected) => {
    expect(isValidTag(tag)).toBe(expected)
  })
})
