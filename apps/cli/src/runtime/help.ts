/**
 * Help text from command definitions, in oclif's layout, so `sigil --help` and `sigil verify
 * --help` need no oclif. Commands that other oclif plugins add (`plugins`, `autocomplete`, a
 * user plugin's) are listed from their manifests and helped by oclif itself.
 */
import type {ArgSpec, CommandDefinition, FlagSpec, FlagSpecs} from '../command.js'
import {GLOBAL_FLAGS} from '../command.js'

/** A command listed in the root help. */
export interface ListedCommand {
  readonly id: string
  readonly summary?: string
  readonly hidden?: boolean
}

const BIN = 'sigil'
const WIDTH = 100

/** `<%= config.bin %>` → `sigil`, as oclif renders examples. */
export function renderTemplate(text: string): string {
  return text.replace(/<%=\s*config\.bin\s*%>/g, BIN)
}

/** Display form of an id: `git:setup` → `git setup`. */
export function displayId(id: string): string {
  return id.replace(/:/g, ' ')
}

function wrap(text: string, indent: number, width = WIDTH): string[] {
  const out: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(' ')) {
      if (line !== '' && indent + line.length + 1 + word.length > width) {
        out.push(line)
        line = word
      } else {
        line = line === '' ? word : `${line} ${word}`
      }
    }
    out.push(line)
  }
  return out
}

function table(rows: Array<[string, string]>, indent = 2): string[] {
  const left = Math.max(...rows.map(([l]) => l.length))
  return rows.flatMap(([l, r]) => {
    const lines = wrap(r, indent + left + 2)
    return lines.map((text, i) => `${' '.repeat(indent)}${(i === 0 ? l : '').padEnd(left)}  ${text}`.trimEnd())
  })
}

function flagLabel(name: string, spec: FlagSpec): string {
  const long = spec.kind === 'boolean' ? `--${spec.allowNo ? '[no-]' : ''}${name}` : `--${name}=<${spec.options && spec.options.join('|').length <= 20 ? spec.options.join('|') : 'value'}>${spec.multiple ? '...' : ''}`
  return spec.char ? `-${spec.char}, ${long}` : `    ${long}`
}

function flagText(spec: FlagSpec): string {
  const extra: string[] = []
  if (spec.options && spec.options.join('|').length > 20) extra.push(`<options: ${spec.options.join('|')}>`)
  if (spec.default !== undefined && spec.kind !== 'boolean' && !(Array.isArray(spec.default) && spec.default.length === 0) && spec.default !== '') {
    extra.push(`[default: ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)}]`)
  }
  return `${spec.required ? '(required) ' : ''}${spec.description}${extra.length ? ` ${extra.join(' ')}` : ''}`
}

/** `FILE...`; an optional one in brackets, as oclif shows it (`[FILE...]`). */
function argLabel(a: ArgSpec): string {
  const label = `${a.name.toUpperCase()}${a.variadic ? '...' : ''}`
  return a.required ? label : `[${label}]`
}

/** `sigil ID --help`. */
export function renderCommandHelp(id: string, def: CommandDefinition): string {
  const flags: FlagSpecs = {...def.flags, ...GLOBAL_FLAGS}
  const visible = Object.entries(flags).filter(([, s]) => !s.hidden)
  const groups = new Map<string, Array<[string, FlagSpec]>>()
  for (const entry of visible) {
    const group = entry[1].helpGroup ?? 'FLAGS'
    groups.set(group, [...(groups.get(group) ?? []), entry])
  }
  const args = def.args ?? []
  const required = visible.filter(([, s]) => s.required).map(([n, s]) => `${s.char ? `-${s.char}` : `--${n}`} <value>`)
  const lines: string[] = [...wrap(def.summary, 0), '', 'USAGE', `  $ ${BIN} ${displayId(id)}${args.map((a) => ` ${argLabel(a)}`).join('')}${required.map((r) => ` ${r}`).join('')} [FLAGS]`]
  if (args.length > 0) lines.push('', 'ARGUMENTS', ...table(args.map((a) => [argLabel(a), a.description])))
  const order = [...groups.keys()].sort((a, b) => (a === 'FLAGS' ? -1 : b === 'FLAGS' ? 1 : a === 'GLOBAL' ? 1 : b === 'GLOBAL' ? -1 : byText(a, b)))
  for (const group of order) {
    const rows = groups
      .get(group)!
      .sort(([a, sa], [b, sb]) => byText(sa.char ?? a, sb.char ?? b))
      .map(([n, s]): [string, string] => [flagLabel(n, s), flagText(s)])
    lines.push('', group === 'FLAGS' ? 'FLAGS' : `${group} FLAGS`, ...table(rows))
  }
  if (def.description) lines.push('', 'DESCRIPTION', ...def.description.split('\n').flatMap((p) => (p === '' ? [''] : wrap(p, 2).map((l) => `  ${l}`))))
  if (def.examples?.length) lines.push('', 'EXAMPLES', ...def.examples.flatMap((e) => [`  $ ${renderTemplate(e)}`, '']))
  return `${lines.join('\n').trimEnd()}\n`
}

/** `sigil --help`: every command, sigil's own and those of other oclif plugins. */
export function renderRootHelp(opts: {summary: string; versionLine: string; commands: readonly ListedCommand[]}): string {
  const visible = opts.commands.filter((c) => !c.hidden)
  const topics = new Map<string, string>()
  const singles: Array<[string, string]> = []
  for (const c of visible) {
    const [first, ...rest] = c.id.split(':')
    if (rest.length > 0) {
      if (!topics.has(first!)) topics.set(first!, renderTemplate(visible.find((x) => x.id === first)?.summary ?? `${first} commands`))
    } else if (!topics.has(first!)) {
      singles.push([first!, renderTemplate(c.summary ?? '')])
    }
  }
  const commandRows = singles.filter(([id]) => !topics.has(id)).sort(([a], [b]) => byText(a, b))
  const lines = [...wrap(opts.summary, 0), '', 'VERSION', `  ${opts.versionLine}`, '', 'USAGE', `  $ ${BIN} [COMMAND]`]
  if (topics.size > 0) lines.push('', 'TOPICS', ...table([...topics].sort(([a], [b]) => byText(a, b)).map(([t, s]): [string, string] => [t, s])))
  lines.push('', 'COMMANDS', ...table(commandRows))
  lines.push('', `Run "${BIN} COMMAND --help" for a command's flags and examples.`)
  return `${lines.join('\n')}\n`
}

/** `sigil TOPIC` / `sigil TOPIC --help`: the commands under a topic (`attach`, `download`). */
export function renderTopicHelp(topic: string, commands: readonly ListedCommand[]): string {
  const rows = commands
    .filter((c) => !c.hidden && c.id.startsWith(`${topic}:`))
    .map((c): [string, string] => [displayId(c.id), renderTemplate(c.summary ?? '')])
    .sort(([a], [b]) => byText(a, b))
  const lines = ['USAGE', `  $ ${BIN} ${topic} COMMAND`, '', 'COMMANDS', ...table(rows), '', `Run "${BIN} ${topic} COMMAND --help" for a command's flags and examples.`]
  return `${lines.join('\n')}\n`
}

/** The known command closest to `word` (edit distance), for "did you mean". */
export function closestCommand(word: string, ids: readonly string[]): string | undefined {
  let best: {id: string; d: number} | undefined
  for (const id of new Set(ids.map((i) => displayId(i)))) {
    const d = editDistance(word, id)
    if (!best || d < best.d) best = {id, d}
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.id : undefined
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]!
}

/**
 * Case-insensitive order for command ids, topics and flag names (all ASCII). Not localeCompare:
 * its first call loads ICU's collator, about 7 ms of every `sigil --help`.
 */
function byText(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0
}
