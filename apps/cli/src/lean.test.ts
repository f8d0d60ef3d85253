import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {runLean} from './lean.js'

// Every case here must be declined before any key or registry is touched.
describe('runLean declines what it cannot do exactly like oclif', () => {
  let root: string
  let data: string
  const saved = process.env.SIGIL_DATA_DIR
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sigil-lean-'))
    data = join(root, 'data')
    mkdirSync(data)
    process.env.SIGIL_DATA_DIR = data
    writeFileSync(join(root, 'package.json'), JSON.stringify({version: '1.2.3', oclif: {dirname: 'sigil', plugins: ['@oclif/plugin-help', '@oclif/plugin-plugins']}}))
  })
  afterEach(() => {
    if (saved === undefined) delete process.env.SIGIL_DATA_DIR
    else process.env.SIGIL_DATA_DIR = saved
    rmSync(root, {recursive: true, force: true})
  })

  test.each([
    ['another command', ['public-key', '--key', 'k']],
    ['help', ['verify', '--help']],
    ['no image', ['verify', '--key', 'k.pub']],
    ['a KMS key', ['verify', '--key', 'awskms:///alias/x', 'img']],
    ['a PKCS#11 key', ['sign', '--key', 'pkcs11:token=x', 'img']],
    ['an unknown flag', ['verify', '--key', 'k.pub', '--bogus', 'img']],
  ])('%s', async (_name, argv) => {
    expect(await runLean(argv, root)).toBe(false)
  })

  test('user-installed plugins send everything through oclif', async () => {
    writeFileSync(join(data, 'package.json'), JSON.stringify({oclif: {plugins: [{name: 'sigil-plugin-x', type: 'user'}]}}))
    expect(await runLean(['verify', '--key', 'k.pub', 'img'], root)).toBe(false)
  })

  test('a core plugin other than help/plugins sends everything through oclif', async () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({version: '1', oclif: {plugins: ['@oclif/plugin-help', '@sigil/kms-aws']}}))
    expect(await runLean(['verify', '--key', 'k.pub', 'img'], root)).toBe(false)
  })
})
