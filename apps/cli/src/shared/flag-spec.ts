/**
 * Flags defined once, as plain data: oclif builds its flags from these (oclif-flags.ts) and the
 * lean start-up path (lean.ts) parses the same definitions without loading oclif.
 */
export interface FlagSpec {
  readonly kind: 'string' | 'boolean' | 'integer'
  readonly description: string
  readonly char?: string
  readonly required?: boolean
  readonly multiple?: boolean
  /** Boolean flags: also accept `--no-<name>` (and cosign's `--<name>=false`). */
  readonly allowNo?: boolean
  readonly options?: readonly string[]
  readonly default?: string | boolean | number | readonly string[]
  readonly min?: number
  readonly helpGroup?: string
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** Parsed values, as oclif would give them. */
export type ParsedFlags = Record<string, string | boolean | number | string[] | undefined>

/**
 * Parse `argv` against `specs` for the lean path. Returns undefined for anything that is not
 * a plain, valid invocation (help, unknown or malformed flags, missing values): oclif then
 * handles it, with its own help and error messages, so both paths always agree.
 */
export function parseLean(argv: readonly string[], specs: FlagSpecs): {flags: ParsedFlags; args: string[]} | undefined {
  const byChar = new Map<string, string>()
  for (const [name, s] of Object.entries(specs)) if (s.char) byChar.set(s.char, name)
  const flags: ParsedFlags = {}
  const args: string[] = []
  const set = (name: string, raw: string | boolean): boolean => {
    const spec = specs[name]
    if (!spec) return false
    if (spec.kind === 'boolean') {
      if (typeof raw !== 'boolean') return false
      flags[name] = raw
      return true
    }
    if (typeof raw !== 'string') return false
    if (spec.options && !spec.options.includes(raw)) return false
    let value: string | number = raw
    if (spec.kind === 'integer') {
      if (!/^-?\d+$/.test(raw)) return false
      value = Number(raw)
      if (spec.min !== undefined && value < spec.min) return false
    }
    if (spec.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), String(value)]
    else flags[name] = value
    return true
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      args.push(...argv.slice(i + 1))
      break
    }
    if (arg === '--help' || arg === '-h') return undefined
    let name: string | undefined
    let inline: string | undefined
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      inline = eq === -1 ? undefined : arg.slice(eq + 1)
      if (!specs[name] && name.startsWith('no-') && specs[name.slice(3)]?.allowNo && inline === undefined) {
        set(name.slice(3), false)
        continue
      }
    } else if (/^-[A-Za-z]/.test(arg)) {
      name = byChar.get(arg[1]!)
      if (!name) return undefined
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined
    } else {
      args.push(arg)
      continue
    }
    const spec = specs[name]
    if (!spec) return undefined
    if (spec.kind === 'boolean') {
      if (inline === undefined) set(name, true)
      else if (spec.allowNo && /^(true|false|1|0)$/i.test(inline)) set(name, /^(true|1)$/i.test(inline))
      else return undefined
      continue
    }
    const value = inline ?? argv[++i]
    if (value === undefined || !set(name, value)) return undefined
  }
  for (const [name, s] of Object.entries(specs)) {
    if (flags[name] === undefined) {
      if (s.required) return undefined
      if (s.default !== undefined) flags[name] = Array.isArray(s.default) ? [...s.default] : (s.default as string | boolean | number)
    }
  }
  return {flags, args}
}
