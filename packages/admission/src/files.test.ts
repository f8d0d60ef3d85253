import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'
import {filesOf, readAll, watchFiles} from './files.js'
import type {FileText} from './files.js'

const dir = mkdtempSync(join(tmpdir(), 'sigil-admission-files-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('policy files', () => {
  test("a directory's visible YAML/JSON files, as a mounted ConfigMap lays them out (symlinks, ..data)", () => {
    const cm = join(dir, 'cm')
    mkdirSync(join(cm, '..2026_12_07'), {recursive: true})
    writeFileSync(join(cm, '..2026_12_07', 'a.yaml'), 'a')
    symlinkSync('..2026_12_07', join(cm, '..data'))
    symlinkSync(join('..data', 'a.yaml'), join(cm, 'a.yaml'))
    writeFileSync(join(cm, 'notes.txt'), 'x')
    expect(filesOf(cm)).toEqual([join(cm, 'a.yaml')])
    expect(readAll([cm])).toEqual([{file: join(cm, 'a.yaml'), text: 'a'}])
  })

  test('a file caught half-written is not taken; the finished one is', async () => {
    const file = join(dir, 'p.yaml')
    writeFileSync(file, 'one')
    const seen: FileText[][] = []
    const watch = watchFiles([file], readAll([file]), (f) => seen.push(f), {intervalMs: 60_000, settleMs: 150})
    try {
      writeFileSync(file, 'two, half')
      const checking = watch.check()
      setTimeout(() => writeFileSync(file, 'two, half and the rest'), 50)
      await checking
      expect(seen).toEqual([])
      await watch.check()
      expect(seen.map((f) => f[0]!.text)).toEqual(['two, half and the rest'])
      await watch.check() // unchanged: nothing new
      expect(seen).toHaveLength(1)
    } finally {
      watch.stop()
    }
  })
})
