import {mkdtemp, rm, writeFile, chmod} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {DEAD_PROXY, findCosign, requireCosign, runCosign} from './cosign.js'

const ci = process.env.CI === 'true'

describe('findCosign / requireCosign', () => {
  const saved = process.env.SIGIL_COSIGN
  afterEach(() => {
    if (saved === undefined) delete process.env.SIGIL_COSIGN
    else process.env.SIGIL_COSIGN = saved
  })

  it('honours SIGIL_COSIGN, and treats a missing path as not found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigil-cosign-test-'))
    try {
      const fake = join(dir, 'cosign')
      await writeFile(fake, '#!/bin/sh\nexit 0\n')
      process.env.SIGIL_COSIGN = fake
      expect(findCosign()).toBe(fake)
      process.env.SIGIL_COSIGN = join(dir, 'absent')
      expect(findCosign()).toBeUndefined()
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('runCosign always runs offline: throw-away HOME/TUF_ROOT, dead proxy, no NO_PROXY', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigil-cosign-test-'))
    try {
      // A stand-in binary that prints the environment it was given, and its stdin.
      const fake = join(dir, 'cosign')
      await writeFile(fake, '#!/bin/sh\nenv\necho "stdin=$(cat)"\nexit 3\n')
      await chmod(fake, 0o755)
      const r = await runCosign(['version'], {
        cosign: fake,
        input: 'pw',
        env: {NO_PROXY: '*', HOME: '/root', HTTPS_PROXY: 'http://example.invalid:1', COSIGN_PASSWORD: 'x'},
      })
      expect(r.code).toBe(3)
      const env = Object.fromEntries(
        r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      )
      expect(env.HTTPS_PROXY).toBe(DEAD_PROXY)
      expect(env.HTTP_PROXY).toBe(DEAD_PROXY)
      expect(env.https_proxy).toBe(DEAD_PROXY)
      expect(env.NO_PROXY).toBeUndefined()
      expect(env.no_proxy).toBeUndefined()
      expect(env.HOME).toMatch(/sigil-cosign-/)
      expect(env.TUF_ROOT).toBe(join(env.HOME!, 'tuf'))
      expect(env.COSIGN_PASSWORD).toBe('x')
      expect(env.stdin).toBe('pw')
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

const cosign = findCosign()
if (!cosign && !ci) {
  console.warn('cosign not found (scripts/fetch-cosign.sh): skipping the real-cosign test')
}

describe('the real cosign', () => {
  // Under CI=true a missing cosign fails here (requireCosign throws); elsewhere the test is skipped visibly.
  it.skipIf(!cosign && !ci)('runs `cosign version` offline (Debian trixie build)', async () => {
    const bin = requireCosign()
    const r = await runCosign(['version'], {cosign: bin})
    expect(r.stderr + r.stdout).toContain('GitVersion:')
    expect(r.code).toBe(0)
  })
})
