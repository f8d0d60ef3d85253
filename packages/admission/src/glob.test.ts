import {describe, expect, test} from 'vitest'
import {compileGlob, globMatches} from './glob.js'

const m = (glob: string, image: string) => globMatches(compileGlob(glob), image)

describe('globs as policy-controller matches them', () => {
  test('* stops at /, ** does not, the whole name must match', () => {
    expect(m('ghcr.io/org/*', 'ghcr.io/org/app:v1')).toBe(true)
    expect(m('ghcr.io/org/*', 'ghcr.io/org/team/app:v1')).toBe(false)
    expect(m('ghcr.io/org/**', 'ghcr.io/org/team/app:v1')).toBe(true)
    expect(m('ghcr.io/org/app', 'ghcr.io/org/app:v1')).toBe(false) // the tag is part of the name
    expect(m('ghcr.io/org/app:**', 'ghcr.io/org/app:v1')).toBe(true)
    expect(m('ghcr.io/org/app*', 'ghcr.io/org/app@sha256:' + 'a'.repeat(64))).toBe(true)
  })

  test('. is literal', () => {
    expect(m('ghcr.io/**', 'ghcrxio/app:v1')).toBe(false)
  })

  test('Docker Hub names are matched fully qualified; * and */* mean Docker Hub', () => {
    expect(m('index.docker.io/library/busybox*', 'busybox')).toBe(true)
    expect(m('*', 'busybox')).toBe(true)
    expect(m('*', 'ghcr.io/xy')).toBe(false)
    expect(m('*/*', 'user/app')).toBe(true)
    // The name as written is tried too (policy-controller's fallback).
    expect(m('busybox', 'busybox')).toBe(true)
  })

  test('invalid globs are refused', () => {
    expect(() => compileGlob('ghcr.io/(a|b)')).toThrow(/invalid glob/)
    expect(() => compileGlob('ghcr.io/a?')).toThrow(/invalid glob/)
  })
})
