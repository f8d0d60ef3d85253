/**
 * A real SoftHSM2 token in a temp dir, per test file. Under CI=true a missing softhsm2-util
 * or pkcs11-tool fails the run instead of skipping.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const MODULE = process.env.SIGIL_TEST_PKCS11_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so'
export const TOKEN = 'sigil-test'
export const PIN = '1234'
export const SO_PIN = '5678'

const has = (cmd: string) => spawnSync(cmd, ['--help'], {stdio: 'ignore'}).error === undefined

/** True when SoftHSM2 and pkcs11-tool are installed; throws under CI=true when they are not. */
export function softHsmAvailable(): boolean {
  const missing = [
    ...(has('softhsm2-util') ? [] : ['softhsm2-util (Debian package softhsm2)']),
    ...(has('pkcs11-tool') ? [] : ['pkcs11-tool (Debian package opensc)']),
    ...(existsSync(MODULE) ? [] : [MODULE]),
  ]
  if (missing.length === 0) return true
  if (process.env.CI === 'true') throw new Error(`PKCS#11 tests need ${missing.join(', ')} (CI=true: failing instead of skipping)`)
  return false
}

export interface TestToken {
  readonly dir: string
  /** The SOFTHSM2_CONF file (also set in this process's environment). */
  readonly conf: string
  /** A `pkcs11:` URI for `object` on the test token, with the PIN and module path. */
  uri(path: string, query?: Record<string, string>): string
  /** Generate a key pair with pkcs11-tool (an independent client), e.g. keyType `EC:prime256v1`. */
  toolKeygen(keyType: string, label: string, idHex: string): void
  /** Run pkcs11-tool against the test token, returning stdout. */
  tool(args: string[]): Buffer
  cleanup(): void
}

/** Create `dir/tokens`, a softhsm2.conf, point SOFTHSM2_CONF at it and initialise the token. */
export function createTestToken(label = TOKEN): TestToken {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-softhsm-'))
  mkdirSync(join(dir, 'tokens'))
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`)
  process.env.SOFTHSM2_CONF = conf
  const env = {...process.env, SOFTHSM2_CONF: conf}
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', PIN, '--so-pin', SO_PIN], {env, stdio: 'pipe'})
  const tool = (args: string[]) => execFileSync('pkcs11-tool', ['--module', MODULE, '--token-label', label, ...args], {env, stdio: 'pipe'})
  return {
    dir,
    conf,
    uri(path, query = {}) {
      const q = new URLSearchParams({'pin-value': PIN, 'module-path': MODULE, ...query})
      return `pkcs11:token=${label};${path}?${[...q].map(([k, v]) => `${k}=${v}`).join('&')}`
    },
    toolKeygen(keyType, keyLabel, idHex) {
      tool(['--login', '--pin', PIN, '--keypairgen', '--key-type', keyType, '--label', keyLabel, '--id', idHex])
    },
    tool,
    cleanup() {
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
