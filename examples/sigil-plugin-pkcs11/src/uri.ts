/**
 * RFC 7512 `pkcs11:` URIs, and where the module path and PIN come from.
 *
 *   pkcs11:token=sigil-test;object=release?pin-value=1234&module-path=/usr/lib/softhsm/libsofthsm2.so
 */
import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {SigilError} from '@sigil/core'
import type {KeyContext} from '@sigil/core'

/** Object classes a URI's `type` may name. */
export type Pkcs11ObjectType = 'public' | 'private' | 'cert' | 'secret-key' | 'data'

/** The parts of a `pkcs11:` URI sigil uses. Absent attributes match anything. */
export interface Pkcs11Uri {
  /** Token label (CKA token info `label`). */
  readonly token?: string
  /** Object label (CKA_LABEL). */
  readonly object?: string
  /** Object id (CKA_ID), raw bytes. */
  readonly id?: Uint8Array
  /** Object class. */
  readonly type?: Pkcs11ObjectType
  /** Slot number. */
  readonly slotId?: number
  /** Token manufacturer. */
  readonly manufacturer?: string
  /** Token serial number. */
  readonly serial?: string
  /** Token model. */
  readonly model?: string
  /** The PIN, given inline (`pin-value`). */
  readonly pinValue?: string
  /** Where to read the PIN: a file path or `file:` URI (`pin-source`). */
  readonly pinSource?: string
  /** The PKCS#11 library to load (`module-path`). */
  readonly modulePath?: string
}

/** Environment variables naming the PKCS#11 module, in the order they are read. */
export const MODULE_ENV_VARS = ['SIGIL_PKCS11_MODULE', 'COSIGN_PKCS11_MODULE_PATH'] as const
/** The environment variable holding the PIN (cosign's). */
export const PIN_ENV_VAR = 'COSIGN_PKCS11_PIN'

const PATH_ATTRIBUTES = new Set([
  'token',
  'object',
  'id',
  'type',
  'slot-id',
  'manufacturer',
  'serial',
  'model',
  // RFC 7512 attributes sigil accepts but does not match on.
  'library-manufacturer',
  'library-description',
  'library-version',
  'slot-description',
  'slot-manufacturer',
])
const QUERY_ATTRIBUTES = new Set(['pin-value', 'pin-source', 'module-path', 'module-name'])
const TYPES = new Set<string>(['public', 'private', 'cert', 'secret-key', 'data'])

const invalid = (message: string) => new SigilError('INVALID_ARGUMENT', message)

/** True for `pkcs11:` references (RFC 7512 has no authority: `pkcs11://` is not one). */
export function isPkcs11Uri(keyRef: string): boolean {
  return /^pkcs11:/i.test(keyRef) && !/^pkcs11:\/\//i.test(keyRef)
}

/** Percent-decode `value` to bytes; anything else than `%XX` after `%` is an error. */
export function percentDecode(value: string, what: string): Uint8Array {
  const out: number[] = []
  const utf8 = new TextEncoder()
  for (let i = 0; i < value.length; ) {
    if (value[i] === '%') {
      const hex = value.slice(i + 1, i + 3)
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalid(`invalid percent-encoding "${value.slice(i, i + 3)}" in ${what}`)
      out.push(parseInt(hex, 16))
      i += 3
    } else {
      const cp = value.codePointAt(i)!
      const ch = String.fromCodePoint(cp)
      out.push(...utf8.encode(ch))
      i += ch.length
    }
  }
  return Uint8Array.from(out)
}

function decodeText(value: string, what: string): string {
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(percentDecode(value, what))
  } catch (err) {
    if (err instanceof SigilError) throw err
    throw invalid(`${what} is not valid UTF-8 after percent-decoding`)
  }
}

function attributes(part: string, separator: string, allowed: Set<string>, where: string): Map<string, string> {
  const map = new Map<string, string>()
  if (part === '') return map
  for (const item of part.split(separator)) {
    if (item === '') continue
    const eq = item.indexOf('=')
    if (eq <= 0) throw invalid(`invalid pkcs11 URI ${where} attribute "${item}": expected name=value`)
    const name = item.slice(0, eq).toLowerCase()
    if (!allowed.has(name) && !name.startsWith('x-')) {
      throw invalid(`unknown pkcs11 URI ${where} attribute "${name}" (known: ${[...allowed].join(', ')})`)
    }
    if (map.has(name)) throw invalid(`pkcs11 URI ${where} attribute "${name}" given twice`)
    map.set(name, item.slice(eq + 1))
  }
  return map
}

/** Parse a `pkcs11:` URI. Throws INVALID_ARGUMENT with the reason. */
export function parsePkcs11Uri(keyRef: string): Pkcs11Uri {
  if (!isPkcs11Uri(keyRef)) throw invalid(`not a pkcs11: URI: ${redactPkcs11Uri(keyRef)}`)
  const rest = keyRef.slice('pkcs11:'.length)
  if (rest.includes('#')) throw invalid('a pkcs11 URI has no fragment ("#" must be written %23)')
  const q = rest.indexOf('?')
  const path = attributes(q < 0 ? rest : rest.slice(0, q), ';', PATH_ATTRIBUTES, 'path')
  const query = attributes(q < 0 ? '' : rest.slice(q + 1), '&', QUERY_ATTRIBUTES, 'query')
  const text = (m: Map<string, string>, name: string) => {
    const v = m.get(name)
    return v === undefined ? undefined : decodeText(v, `"${name}"`)
  }

  const type = text(path, 'type')
  if (type !== undefined && !TYPES.has(type)) throw invalid(`invalid pkcs11 URI type "${type}" (expected public, private, cert, secret-key or data)`)
  const slot = text(path, 'slot-id')
  if (slot !== undefined && !/^\d+$/.test(slot)) throw invalid(`invalid pkcs11 URI slot-id "${slot}": expected a decimal number`)
  const idRaw = path.get('id')
  const id = idRaw === undefined ? undefined : percentDecode(idRaw, '"id"')
  if (id !== undefined && id.length === 0) throw invalid('pkcs11 URI attribute "id" is empty')
  if (query.has('pin-value') && query.has('pin-source')) throw invalid('a pkcs11 URI may give pin-value or pin-source, not both')
  if (query.has('module-name') && !query.has('module-path')) {
    throw invalid('pkcs11 URI module-name is not supported: give module-path=/path/to/module.so')
  }
  const modulePath = text(query, 'module-path')
  if (modulePath === '') throw invalid('pkcs11 URI attribute "module-path" is empty')

  const uri: {-readonly [K in keyof Pkcs11Uri]: Pkcs11Uri[K]} = {}
  const set = <K extends keyof Pkcs11Uri>(k: K, v: Pkcs11Uri[K] | undefined) => {
    if (v !== undefined) uri[k] = v
  }
  set('token', text(path, 'token'))
  set('object', text(path, 'object'))
  set('id', id)
  set('type', type as Pkcs11ObjectType | undefined)
  set('slotId', slot === undefined ? undefined : Number(slot))
  set('manufacturer', text(path, 'manufacturer'))
  set('serial', text(path, 'serial'))
  set('model', text(path, 'model'))
  set('pinValue', text(query, 'pin-value'))
  set('pinSource', text(query, 'pin-source'))
  set('modulePath', modulePath)
  return uri
}

/** `keyRef` with any `pin-value` hidden, for messages. */
export function redactPkcs11Uri(keyRef: string): string {
  return keyRef.replace(/([?&]pin-value=)[^&]*/gi, '$1***')
}

/** A short description of the object a URI names, for messages (`object=release;id=%01`). */
export function describeObject(uri: Pkcs11Uri): string {
  const parts: string[] = []
  if (uri.object !== undefined) parts.push(`object=${uri.object}`)
  if (uri.id !== undefined) parts.push(`id=${[...uri.id].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`)
  return parts.join(';') || '(any object)'
}

/** A short description of the token a URI names, for messages. */
export function describeToken(uri: Pkcs11Uri): string {
  const parts: string[] = []
  if (uri.token !== undefined) parts.push(`token=${uri.token}`)
  if (uri.serial !== undefined) parts.push(`serial=${uri.serial}`)
  if (uri.slotId !== undefined) parts.push(`slot-id=${uri.slotId}`)
  if (uri.manufacturer !== undefined) parts.push(`manufacturer=${uri.manufacturer}`)
  if (uri.model !== undefined) parts.push(`model=${uri.model}`)
  return parts.join(';') || '(any token)'
}

/** The module to load: `module-path`, else `$SIGIL_PKCS11_MODULE`, else `$COSIGN_PKCS11_MODULE_PATH`. */
export function resolveModulePath(uri: Pkcs11Uri, env: NodeJS.ProcessEnv = process.env): string {
  if (uri.modulePath) return uri.modulePath
  for (const name of MODULE_ENV_VARS) {
    const v = env[name]
    if (v) return v
  }
  throw invalid(
    `no PKCS#11 module given: add module-path=/path/to/module.so to the pkcs11 URI or set ${MODULE_ENV_VARS[0]} (or ${MODULE_ENV_VARS[1]})`,
  )
}

/**
 * The user PIN: `pin-value`, else the file `pin-source` names, else `$COSIGN_PKCS11_PIN`, else
 * the host's password prompt. The PIN is never logged.
 */
export async function resolvePin(uri: Pkcs11Uri, keyRef: string, ctx: KeyContext, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (uri.pinValue !== undefined) return uri.pinValue
  if (uri.pinSource !== undefined) {
    let path = uri.pinSource
    if (/^file:/i.test(path)) {
      try {
        path = fileURLToPath(path)
      } catch (err) {
        throw new SigilError('INVALID_ARGUMENT', `invalid pin-source URI "${uri.pinSource}": ${(err as Error).message}`, {cause: err})
      }
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) {
      throw invalid(`unsupported pin-source "${uri.pinSource}": give a file path or a file: URI`)
    }
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      throw new SigilError('INVALID_ARGUMENT', `cannot read the PIN from pin-source ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {cause: err})
    }
    return text.replace(/\r?\n$/, '')
  }
  const fromEnv = env[PIN_ENV_VAR]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (ctx.getPassword) {
    const bytes = await ctx.getPassword({purpose: 'decrypt', keyRef: redactPkcs11Uri(keyRef), confirm: false})
    return new TextDecoder().decode(bytes)
  }
  throw new SigilError(
    'PASSWORD_REQUIRED',
    `a PIN is needed for ${describeToken(uri)}: add pin-value or pin-source to the pkcs11 URI or set ${PIN_ENV_VAR}`,
  )
}
