/** Shell completion (oclif's autocomplete plugin) made from sigil's own command definitions. */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {sigil} from './run-cli.js'

let cache: string
beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'sigil-completion-'))
})
afterAll(() => rmSync(cache, {recursive: true, force: true}))

/** What bash completes for the words typed so far (the last one being completed). */
function complete(words: string[]): string[] {
  const script = `source ${JSON.stringify(join(cache, 'autocomplete', 'functions', 'bash', 'sigil.bash'))}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE=${JSON.stringify(words.join(' '))}
_sigil_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`
  const r = spawnSync('bash', ['-c', script], {encoding: 'utf8'})
  expect(r.status, r.stderr).toBe(0)
  return r.stdout.split('\n').filter(Boolean)
}

test('sigil autocomplete bash builds completions that know every command and its flags', async () => {
  const r = await sigil(['autocomplete', 'bash'], {env: {SIGIL_CACHE_DIR: cache}})
  expect(r.code, r.stderr).toBe(0)
  expect(r.stdout).toContain('sigil autocomplete script bash')
  // Every verify-* command completes, and only those.
  expect(complete(['sigil', 'ver']).sort()).toEqual(['verify', 'verify-attestation', 'verify-blob', 'verify-blob-attestation'])
  expect(complete(['sigil', 'verify-a'])).toEqual(['verify-attestation'])
  expect(complete(['sigil', 'verify-b']).sort()).toEqual(['verify-blob', 'verify-blob-attestation'])
  expect(complete(['sigil', 'sign-blob', '--new'])).toEqual(['--new-bundle-format'])
  expect(complete(['sigil', 'generate-'])).toEqual(['generate-key-pair'])
  expect(complete(['sigil', 'verify', '--signature-d'])).toEqual(['--signature-digest-algorithm'])
  expect(complete(['sigil', 'sign', '--k'])).toEqual(['--key'])
  // A topic's command and its flags: the verify flags, and no --local-image (a manifest is not a layout).
  expect(complete(['sigil', 'manifest', 'v'])).toEqual(['verify'])
  expect(complete(['sigil', 'manifest', 'verify', '--max'])).toEqual(['--max-workers'])
  expect(complete(['sigil', 'manifest', 'verify', '--local'])).toEqual([])
  // Topics: every admission command, and a command's own flags under its topic.
  expect(complete(['sigil', 'admission', '']).sort()).toEqual(['certs', 'check', 'serve'])
  expect(complete(['sigil', 'admission', 'ch'])).toEqual(['check'])
  expect(complete(['sigil', 'admission', 'check', '--no-'])).toEqual(['--no-match-policy'])
  expect(complete(['sigil', 'admission', 'check', '--fail'])).toEqual(['--failure-policy'])
})
