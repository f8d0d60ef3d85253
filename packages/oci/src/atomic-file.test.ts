import {lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {writeCacheFileSync, writeFileAtomic} from './atomic-file.js'

const dir = mkdtempSync(join(tmpdir(), 'sigil-atomic-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('writeFileAtomic', () => {
  test('creates, then replaces, with the mode given; no temporary file left behind', async () => {
    const file = join(dir, 'out.sig')
    await writeFileAtomic(file, 'first')
    writeFileSync(file, 'x'.repeat(1000))
    await writeFileAtomic(file, new TextEncoder().encode('second'))
    expect(readFileSync(file, 'utf8')).toBe('second')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    await writeFileAtomic(join(dir, 'pub'), 'p', 0o644)
    expect(statSync(join(dir, 'pub')).mode & 0o777).toBe(0o644)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  test('a symlinked target: the file it points to is replaced, the link stays', async () => {
    writeFileSync(join(dir, 'real'), 'old')
    symlinkSync(join(dir, 'real'), join(dir, 'link'))
    await writeFileAtomic(join(dir, 'link'), 'new')
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('new')
  })

  test('overwrite: false creates a file but never replaces one (EEXIST, the old content kept, no temporary file left)', async () => {
    const file = join(dir, 'once.sig')
    await writeFileAtomic(file, 'first', 0o600, {overwrite: false})
    expect(readFileSync(file, 'utf8')).toBe('first')
    await expect(writeFileAtomic(file, 'second', 0o600, {overwrite: false})).rejects.toMatchObject({code: 'EEXIST'})
    expect(readFileSync(file, 'utf8')).toBe('first')
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  test('a missing directory: node\'s ENOENT, nothing written', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such'), 'x')).rejects.toMatchObject({code: 'ENOENT'})
  })
})

describe('writeCacheFileSync', () => {
  test('makes the directory (0700) and the file (0600), then replaces it; no temporary file left behind', () => {
    const file = join(dir, 'cache', 'entries.json')
    writeCacheFileSync(file, '{"a":1}')
    writeCacheFileSync(file, new TextEncoder().encode('{"b":2}'))
    expect(readFileSync(file, 'utf8')).toBe('{"b":2}')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'cache')).mode & 0o777).toBe(0o700)
    expect(readdirSync(join(dir, 'cache'))).toEqual(['entries.json'])
  })

  test('a file that cannot be written is no error (the cache is best-effort)', () => {
    writeFileSync(join(dir, 'not-a-dir'), 'x')
    expect(() => writeCacheFileSync(join(dir, 'not-a-dir', 'entries.json'), '{}')).not.toThrow()
  })
})
