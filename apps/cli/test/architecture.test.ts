/**
 * The drawing of who may import whom (README, Architecture), checked on every package's
 * package.json and on the imports in its source: core imports nothing; oci imports core;
 * every key provider and registry adapter imports core only (plus its SDK); signing imports
 * core and oci; the published conformance kit imports core only; the CLI's own code reaches
 * providers and adapters only through the `sigil:plugin` hook, never by import.
 */
import {execFile} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, test} from 'vitest'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  '@sigil/core': [],
  '@sigil/oci': ['@sigil/core'],
  '@sigil/key-file': ['@sigil/core'],
  '@sigil/kms-aws': ['@sigil/core'],
  '@sigil/kms-gcp': ['@sigil/core'],
  '@sigil/sigstore-kms-bridge': ['@sigil/core'],
  '@sigil/registry-dockerhub': ['@sigil/core'],
  '@sigil/registry-ghcr': ['@sigil/core'],
  '@sigil/registry-ecr': ['@sigil/core'],
  '@sigil/signing': ['@sigil/core', '@sigil/oci'],
  '@sigil/admission': ['@sigil/core', '@sigil/oci', '@sigil/signing'],
  '@sigil/testkit': ['@sigil/core'],
  '@sigil/test-servers': ['@sigil/core', '@sigil/oci'],
  'sigil-plugin-pkcs11': ['@sigil/core'],
  // The CLI composes: core formats, oci for registries, signing for the workflows. Providers and
  // adapters are its runtime dependencies (built-in plugins), loaded through the hook only.
  '@sigil/cli': ['@sigil/core', '@sigil/oci', '@sigil/signing', '@sigil/admission'],
}

interface Workspace {
  readonly name: string
  readonly dir: string
  readonly pjson: {dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; oclif?: {plugins?: string[]}}
}

function workspaces(): Workspace[] {
  return ['packages', 'apps', 'examples'].flatMap((group) =>
    readdirSync(join(ROOT, group)).flatMap((d) => {
      const dir = join(ROOT, group, d)
      try {
        const pjson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Workspace['pjson'] & {name: string}
        return [{name: pjson.name, dir, pjson}]
      } catch {
        return []
      }
    }),
  )
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(entry) && !/\.(test|d)\.ts$/.test(entry) ? [path] : []
  })
}

/** `@sigil/x` packages a file imports (static, dynamic, re-export; type-only imports included). */
function sigilImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](@sigil\/[a-z0-9-]+)(?:\/[^'"]*)?['"]/g)].map((m) => m[1]!)
}

/** Source text without its comments (examples in comments may name anything). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
}

const all = workspaces()

describe('who may import whom', () => {
  test('every workspace package is in the drawing', () => {
    expect(all.map((w) => w.name).sort()).toEqual(Object.keys(ALLOWED).sort())
  })

  test.each(all.filter((w) => w.name !== '@sigil/cli').map((w) => [w.name, w] as const))('%s: runtime dependencies', (name, w) => {
    const runtime = Object.keys({...w.pjson.dependencies, ...w.pjson.peerDependencies}).filter((d) => d.startsWith('@sigil/') || ALLOWED[d] !== undefined)
    expect(runtime.filter((d) => !ALLOWED[name]!.includes(d))).toEqual([])
  })

  test.each(all.map((w) => [w.name, w] as const))('%s: imports in its source', (name, w) => {
    const offending = sourceFiles(join(w.dir, 'src')).flatMap((file) =>
      sigilImports(file)
        .filter((dep) => dep !== name && !ALLOWED[name]!.includes(dep))
        .map((dep) => `${relative(ROOT, file)} imports ${dep}`),
    )
    expect(offending).toEqual([])
  })

  test('the CLI ships every built-in plugin it depends on, and names none in its code', () => {
    const cli = all.find((w) => w.name === '@sigil/cli')!
    const plugins = new Set(cli.pjson.oclif?.plugins ?? [])
    const providerPackages = Object.keys(cli.pjson.dependencies ?? {}).filter((d) => d.startsWith('@sigil/') && !ALLOWED['@sigil/cli']!.includes(d))
    expect(providerPackages.length).toBeGreaterThan(0)
    expect(providerPackages.filter((p) => !plugins.has(p))).toEqual([])
  })

  test("built-in code names no third-party plugin's key scheme", () => {
    const builtIn = all.filter((w) => w.name.startsWith('@sigil/'))
    const named = builtIn.flatMap((w) =>
      sourceFiles(join(w.dir, 'src'))
        .filter((file) => /['"`]pkcs11[:'"`]/.test(withoutComments(readFileSync(file, 'utf8'))))
        .map((file) => relative(ROOT, file)),
    )
    expect(named).toEqual([])
  })
})

// vitest strips types without checking them, and each package's build compiles only its
// sources: tsconfig.test.json checks the tests too (a test can otherwise name a type that does
// not exist and silently get `any`).
describe('tests type-check with their sources', () => {
  const checked = [...workspaces(), {name: '@sigil/deploy', dir: join(ROOT, 'deploy')}]
  const TSC = join(ROOT, 'node_modules', '.bin', 'tsc')

  test('every workspace package has a tsconfig.test.json that covers its tests', () => {
    const missing = checked.filter((w) => !existsSync(join(w.dir, 'tsconfig.test.json'))).map((w) => w.name)
    expect(missing).toEqual([])
    for (const w of checked) {
      const config = readFileSync(join(w.dir, 'tsconfig.test.json'), 'utf8')
      if (existsSync(join(w.dir, 'test'))) expect(config, w.name).toContain('"test"')
      if (existsSync(join(w.dir, 'src'))) expect(config, w.name).toContain('"src"')
    }
  })

  test.each(checked.map((w) => [w.name, w.dir] as const))('%s: tsc -p tsconfig.test.json', async (_name, dir) => {
    const output = await new Promise<string>((resolve) =>
      execFile(TSC, ['-p', 'tsconfig.test.json', '--pretty', 'false'], {cwd: dir, timeout: 100_000}, (error, stdout, stderr) =>
        resolve(error ? `${stdout}${stderr}` || String(error) : ''),
      ),
    )
    expect(output).toBe('')
  })
})
