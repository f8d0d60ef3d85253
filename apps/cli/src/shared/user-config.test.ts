import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {readUserConfig, signsBundles} from './user-config.js'

let dir: string
let env: NodeJS.ProcessEnv
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigil-config-'))
  env = {SIGIL_CONFIG_DIR: dir}
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))
const write = (text: string) => {
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'config.json'), text)
}

describe('the signature format default', () => {
  test('no config, no variable, no flag: legacy', () => {
    expect(signsBundles(undefined, env)).toBe(false)
  })

  test('config.json says bundle; the variable wins over it; the flag wins over both', () => {
    write('{"signatureFormat": "bundle"}')
    expect(signsBundles(undefined, env)).toBe(true)
    expect(signsBundles(undefined, {...env, SIGIL_NEW_BUNDLE_FORMAT: 'false'})).toBe(false)
    expect(signsBundles(false, env)).toBe(false)
    write('{"signatureFormat": "legacy"}')
    expect(signsBundles(undefined, {...env, SIGIL_NEW_BUNDLE_FORMAT: 'true'})).toBe(true)
    expect(signsBundles(true, env)).toBe(true)
  })

  test.each([
    ['not JSON', '{', /not valid JSON/],
    ['not an object', '[]', /must hold a JSON object/],
    ['an unknown format', '{"signatureFormat": "v3"}', /signatureFormat must be "legacy" or "bundle", not "v3"/],
  ])('a config.json that is %s is an error naming the file', (_name, text, message) => {
    write(text)
    expect(() => readUserConfig(env)).toThrow(message)
    expect(() => readUserConfig(env)).toThrow(join(dir, 'config.json'))
  })
})
