/**
 * Registry mirrors / endpoint remapping, like containers' `registries.conf` `location`: a JSON
 * file maps a registry host to another base URL. Only where the bytes travel changes — image
 * references, signature payloads (`docker-reference`) and credential lookups keep the original
 * registry name.
 *
 *   {"registries": [{"prefix": "docker.io", "location": "https://mirror.example.com"},
 *                   {"prefix": "ghcr.io", "location": "http://127.0.0.1:5000"}]}
 *
 * File: `$SIGIL_REGISTRIES_CONFIG`, else `$XDG_CONFIG_HOME/sigil/registries.json`, else
 * `~/.config/sigil/registries.json`. A missing default file means no mirrors; a missing file
 * named by `SIGIL_REGISTRIES_CONFIG` is an error.
 */
import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {SigilError, canonicalRegistryHost, isLoopbackHost, isRegistryHost} from '@sigil/core'

/** One mapping: traffic for `prefix` (a registry host) goes to `location`. */
export interface RegistryMirror {
  /** Canonical registry host (`index.docker.io` for every Docker Hub spelling). */
  readonly prefix: string
  /** Base URL, without trailing slash (`https://mirror.example.com`, `http://127.0.0.1:5000/v`). */
  readonly location: string
  /** Plain `http://` to a non-loopback location was explicitly allowed. */
  readonly insecure: boolean
}

/** A loaded mirrors file. */
export interface RegistryMirrors {
  /** The file read, or undefined when there was none. */
  readonly file?: string
  readonly mirrors: readonly RegistryMirror[]
  /** The mapped base URL for `host`, or undefined (no mapping). */
  endpoint(host: string): string | undefined
}

/** The mirrors file sigil reads for `env` (see the module comment), and whether the user named it explicitly. */
export function registryMirrorsFile(env: NodeJS.ProcessEnv = process.env): {file: string; explicit: boolean} {
  const explicit = env['SIGIL_REGISTRIES_CONFIG']
  if (explicit !== undefined && explicit !== '') return {file: explicit, explicit: true}
  const xdg = env['XDG_CONFIG_HOME']
  const base = xdg !== undefined && xdg !== '' ? xdg : join(env['HOME'] || homedir(), '.config')
  return {file: join(base, 'sigil', 'registries.json'), explicit: false}
}

/**
 * Parse and validate the mirrors file's text. Throws INVALID_ARGUMENT naming `file` and the
 * offending entry: not JSON, wrong shape, a prefix that is not a registry host (no scheme, no
 * path), a location that is not an http(s) URL or carries credentials, query or fragment,
 * `http://` to a non-loopback host without `"insecure": true`, or a duplicated prefix.
 */
export function parseRegistryMirrors(text: string, file: string): RegistryMirrors {
  const bad = (message: string): SigilError => new SigilError('INVALID_ARGUMENT', `invalid registries config ${file}: ${message}`, {details: {file}})
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new SigilError('INVALID_ARGUMENT', `invalid registries config ${file}: not valid JSON (${(cause as Error).message})`, {
      cause,
      details: {file},
    })
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('expected an object {"registries": [...]}')
  const list = (json as {registries?: unknown}).registries
  if (list === undefined) return mirrorsOf(file, [])
  if (!Array.isArray(list)) throw bad('"registries" must be an array')
  const mirrors: RegistryMirror[] = []
  const seen = new Set<string>()
  list.forEach((entry: unknown, i) => {
    const where = `registries[${i}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(`${where} must be an object with "prefix" and "location"`)
    const {prefix, location, insecure} = entry as {prefix?: unknown; location?: unknown; insecure?: unknown}
    if (typeof prefix !== 'string' || prefix.trim() === '') throw bad(`${where}.prefix must be a registry host such as "docker.io"`)
    if (!isRegistryHost(prefix.trim())) {
      throw bad(`${where}.prefix "${prefix}" is not a registry host (write "docker.io" or "registry.example:5000", without scheme or path)`)
    }
    if (insecure !== undefined && typeof insecure !== 'boolean') throw bad(`${where}.insecure must be true or false`)
    if (typeof location !== 'string' || location === '') throw bad(`${where}.location must be a URL such as "https://mirror.example.com"`)
    let url: URL
    try {
      url = new URL(location)
    } catch {
      throw bad(`${where}.location "${location}" is not a URL (write "https://host[:port]")`)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad(`${where}.location "${location}" must use https:// (or http:// for loopback)`)
    if (url.username !== '' || url.password !== '') throw bad(`${where}.location must not contain credentials (use docker login for the original registry)`)
    if (url.search !== '' || url.hash !== '') throw bad(`${where}.location "${location}" must not have a query or fragment`)
    if (url.protocol === 'http:' && !isLoopbackHost(url.host) && insecure !== true) {
      throw bad(`${where}.location "${location}" uses plain http:// to a non-loopback host; use https:// or set "insecure": true`)
    }
    const host = canonicalRegistryHost(prefix)
    if (seen.has(host)) throw bad(`${where}.prefix "${prefix}" is mapped twice (Docker Hub's names docker.io, index.docker.io and registry-1.docker.io are one registry)`)
    seen.add(host)
    mirrors.push({prefix: host, location: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, insecure: insecure === true})
  })
  return mirrorsOf(file, mirrors)
}

function mirrorsOf(file: string | undefined, mirrors: readonly RegistryMirror[]): RegistryMirrors {
  const byHost = new Map(mirrors.map((m) => [m.prefix, m.location]))
  return {
    ...(file === undefined ? {} : {file}),
    mirrors,
    endpoint: (host: string) => byHost.get(canonicalRegistryHost(host)),
  }
}

/**
 * Load the mirrors file for `env` (see {@link registryMirrorsFile}). No default file → no
 * mirrors; an unreadable or invalid file → INVALID_ARGUMENT naming it.
 */
export function loadRegistryMirrors(env: NodeJS.ProcessEnv = process.env): RegistryMirrors {
  const {file, explicit} = registryMirrorsFile(env)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) return mirrorsOf(undefined, [])
    throw new SigilError(
      'INVALID_ARGUMENT',
      `cannot read registries config ${file}${explicit ? ' (from SIGIL_REGISTRIES_CONFIG)' : ''}: ${code ?? (cause as Error).message}`,
      {cause, details: {file}},
    )
  }
  return parseRegistryMirrors(text, file)
}
