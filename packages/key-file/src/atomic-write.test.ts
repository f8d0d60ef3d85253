import * as fs from 'node:fs/promises'
import {mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {writeFileAtomic} from './atomic-write.js'
import type {KeyFileSystem} from './atomic-write.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigil-atomic-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('writeFileAtomic', () => {
  test('creates the file with the content and no temp file left', async () => {
    const path = join(dir, 'a.key')
    await writeFileAtomic(fs, path, 'secret', {mode: 0o600, exactMode: true})
    expect(await readFile(path, 'utf8')).toBe('secret')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['a.key'])
  })

  test('exactMode sets the mode whatever the umask', async () => {
    const path = join(dir, 'a.key')
    const old = process.umask(0o077)
    try {
      await writeFileAtomic(fs, path, 'x', {mode: 0o640, exactMode: true})
    } finally {
      process.umask(old)
    }
    expect((await stat(path)).mode & 0o777).toBe(0o640)
  })

  test('without overwrite: EEXIST, the old file stays byte-identical, no temp file left', async () => {
    const path = join(dir, 'a.key')
    await writeFile(path, 'old content')
    await expect(writeFileAtomic(fs, path, 'new', {mode: 0o600})).rejects.toMatchObject({code: 'EEXIST'})
    expect(await readFile(path, 'utf8')).toBe('old content')
    expect(await readdir(dir)).toEqual(['a.key'])
  })

  test('with overwrite: replaced in one step', async () => {
    const path = join(dir, 'a.key')
    await writeFile(path, 'old')
    await writeFileAtomic(fs, path, 'new', {mode: 0o600, overwrite: true})
    expect(await readFile(path, 'utf8')).toBe('new')
    expect(await readdir(dir)).toEqual(['a.key'])
  })

  test('falls back to an exclusive copy where hard links are not supported', async () => {
    const path = join(dir, 'a.key')
    const noLinks: KeyFileSystem = {...fs, link: () => Promise.reject(Object.assign(new Error('nope'), {code: 'EPERM'}))}
    await writeFileAtomic(noLinks, path, 'data', {mode: 0o600})
    expect(await readFile(path, 'utf8')).toBe('data')
    await expect(writeFileAtomic(noLinks, path, 'other', {mode: 0o600})).rejects.toMatchObject({code: 'EEXIST'})
    expect(await readFile(path, 'utf8')).toBe('data')
    expect(await readdir(dir)).toEqual(['a.key'])
  })

  test('a failed write removes its temp file', async () => {
    const failing: KeyFileSystem = {...fs, rename: () => Promise.reject(Object.assign(new Error('disk'), {code: 'EIO'}))}
    await expect(writeFileAtomic(failing, join(dir, 'a.key'), 'x', {mode: 0o600, overwrite: true})).rejects.toMatchObject({code: 'EIO'})
    expect(await readdir(dir)).toEqual([])
  })

  test('a missing directory fails with ENOENT', async () => {
    await expect(writeFileAtomic(fs, join(dir, 'nope', 'a.key'), 'x', {mode: 0o600})).rejects.toMatchObject({code: 'ENOENT'})
  })
})
