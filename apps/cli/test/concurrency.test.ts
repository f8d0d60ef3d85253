/**
 * Signers racing on one image lose nothing: every `sigil sign` that exits 0 leaves a signature
 * that verifies afterwards, in both formats (the `.sig` tag and the referrers index are
 * read-modify-writes on a registry without conditional writes).
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import {pushRandomImage, requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil} from './run-cli.js'

const SIGNERS = 16
let registry: TestRegistry
let dir: string
const env = {COSIGN_PASSWORD: 'pw', SIGIL_PASSWORD: undefined}
const keys = Array.from({length: SIGNERS}, (_, i) => `signer${i}`)

beforeAll(async () => {
  requireRegistry()
  registry = await startRegistry()
  dir = mkdtempSync(join(tmpdir(), 'sigil-race-'))
  for (const k of keys) expect((await sigil(['generate-key-pair', '--output-key-prefix', k], {cwd: dir, env})).code).toBe(0)
})
afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe(`${SIGNERS} signers at once on one image`, () => {
  test.each([
    ['legacy .sig tag', []],
    ['bundle referrers (tag-schema index)', ['--new-bundle-format']],
  ])('%s: all exit 0 and every signature verifies afterwards', async (_name, extra) => {
    const repository = `race/app-${extra.length}`
    const {digest} = await pushRandomImage(new RegistryClient(), {registry: registry.host, repository}, 'v1')
    const ref = `${registry.host}/${repository}@${digest}`
    const results = await Promise.all(keys.map((k) => sigil(['sign', '--key', `${k}.key`, ...extra, ref], {cwd: dir, env})))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    const survived = await Promise.all(keys.map(async (k) => (await sigil(['verify', '--key', `${k}.pub`, ref], {cwd: dir})).code === 0))
    expect(survived.filter(Boolean)).toHaveLength(SIGNERS)
  })
})
