import {describe, expect, test} from 'vitest'
import {parseReference} from '@sigil/core'
import {findCosign, findCosign3, requireCosign3, runCosign, seededRandom} from '@sigil/test-servers'

// sigil's reference parser against the real one: cosign 3.1.1's (go-containerregistry
// `name.ParseReference`), on hand-picked names and on names fuzzed from a fixed seed.
// `cosign triangulate NAME@sha256:…` parses offline (a digest needs no lookup) and prints the
// `.sig` tag it derives, so it shows both whether a name is accepted and how it is normalised.
//
// Where sigil and cosign may differ, by choice:
//  1. sigil is stricter on path components: it takes the distribution spec's grammar
//     (alphanumerics joined by one ".", one "_", "__" or a run of "-"; no empty component),
//     ggcr only checks the character set, so it accepts `foo//bar`, `foo/`, `a..b`, `-a`. No
//     registry can hold such a name; a clear error beats a confusing 404 later.
//  2. sigil wants the registry as the spec's `host[:port]` (`[ipv6]` too); ggcr accepts any
//     authority, so `foo.io:/app` (empty port) and `:/app` (no host) pass there.
//  3. `localhost/app` names the registry on localhost (the docker CLI's and the distribution
//     spec's rule); ggcr only takes a first component with "." or ":" as a host and sends
//     `localhost/app` to Docker Hub as `index.docker.io/localhost/app`.
// Any other difference fails this test.

const cosign = findCosign3() ?? findCosign()
const present = Boolean(requireCosign3() ?? cosign)
const HEX = 'c'.repeat(64)
const DIGEST = `sha256:${HEX}`

// The distribution spec's path-component and domain-and-port, from its grammar (not sigil's code).
const SPEC_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const SPEC_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?'
const SPEC_HOST = new RegExp(`^(?:${SPEC_LABEL}(?:\\.${SPEC_LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?$`)

const HAND_PICKED = [
  'ubuntu', 'library/ubuntu', 'docker.io/ubuntu', 'docker.io/library/ubuntu', 'index.docker.io/ubuntu',
  'registry-1.docker.io/org/app', 'ghcr.io/org/app', 'Foo.io/bar', 'localhost:5000/app', '127.0.0.1:5000/ab',
  '[::1]:5000/app', 'localhost/app', 'x', 'ghcr.io/x', 'a/b', 'a.b', 'a_b', 'a__b', 'a---b', 'a..b', 'a___b',
  'a._b', 'foo//bar', 'foo/', 'foo/../bar', 'foo/./bar', 'foo/bar_', 'Ubuntu', 'ghcr.io/Org/app', 'foo bar',
  'foo_bar.io/app', 'foo.io:99999/app', 'foo.io:/app', ':/app', 'localhost/', 'a'.repeat(247), 'a'.repeat(248), 'a'.repeat(254), 'a'.repeat(255), 'a'.repeat(256),
  `ghcr.io/${'a'.repeat(255)}`, `ghcr.io/${'a'.repeat(256)}`, `ghcr.io/org/${'a'.repeat(251)}`, `ghcr.io/org/${'a'.repeat(252)}`,
]

const TOKENS = ['a', 'b', 'z9', '0', '.', '_', '__', '-', '--', '/', '/', 'A', ':', ':5000', 'localhost', 'io', 'example.com', '..']

function fuzzed(count: number): string[] {
  const random = seededRandom(0x5161)
  const out = new Set<string>()
  while (out.size < count) {
    const length = 1 + Math.floor(random() * 8)
    let name = ''
    for (let i = 0; i < length; i++) name += TOKENS[Math.floor(random() * TOKENS.length)]
    // cosign's command line takes an argument starting with "-" as a flag, even after "--".
    if (!name.startsWith('-')) out.add(name)
  }
  return [...out]
}

type Outcome = {ok: true; sigTag: string} | {ok: false; error: string}

function sigilOutcome(name: string): Outcome {
  try {
    const ref = parseReference(`${name}@${DIGEST}`)
    return {ok: true, sigTag: `${ref.repositoryName}:sha256-${HEX}.sig`}
  } catch (err) {
    return {ok: false, error: (err as Error).message}
  }
}

async function cosignOutcome(name: string): Promise<Outcome> {
  const r = await runCosign(['triangulate', '--', `${name}@${DIGEST}`], {cosign, timeoutMs: 30_000})
  if (r.code === 0) return {ok: true, sigTag: r.stdout.trim()}
  if (!/could not parse reference|repository|registry|invalid/i.test(r.stderr)) {
    throw new Error(`cosign failed for ${JSON.stringify(name)} other than by rejecting it: ${r.stderr}`)
  }
  return {ok: false, error: r.stderr.trim()}
}

/** Host and path split the way ggcr does (a first component with "." or ":" is a host). */
function ggcrSplit(name: string): {host?: string; path: string} {
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  return first.includes('.') || first.includes(':') ? {host: first, path: name.slice(slash + 1)} : {path: name}
}

/** Choices 1 and 2: sigil rejects, for the reason the spec's grammar gives. */
function stricterBySpec(name: string, sigilError: string): boolean {
  const {host, path} = ggcrSplit(name)
  if (host !== undefined && !SPEC_HOST.test(host)) return /is not a valid registry host/.test(sigilError)
  const badPath = path.split('/').some((component) => !SPEC_COMPONENT.test(component))
  return badPath && /path component|repository name is empty/.test(sigilError)
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))))
  return out
}

describe.runIf(present || process.env.CI === 'true')('reference grammar against cosign (go-containerregistry)', () => {
  test('accepts and normalises what cosign does, except the two differences chosen above', async () => {
    const names = [...HAND_PICKED, ...fuzzed(260)]
    const theirs = await inBatches(names, 8, cosignOutcome)
    const tally = {bothAccept: 0, bothReject: 0, stricter: 0, localhost: 0}
    const unexpected: string[] = []
    names.forEach((name, i) => {
      const c = theirs[i]!
      const s = sigilOutcome(name)
      if (c.ok && s.ok) {
        if (s.sigTag === c.sigTag) tally.bothAccept++
        else if (name.startsWith('localhost/') && c.sigTag === `index.docker.io/${s.sigTag}`) tally.localhost++
        else unexpected.push(`${JSON.stringify(name)}: sigil ${s.sigTag}, cosign ${c.sigTag}`)
      } else if (c.ok && !s.ok) {
        if (stricterBySpec(name, s.error)) tally.stricter++
        else unexpected.push(`${JSON.stringify(name)}: sigil rejects (${s.error}), cosign accepts as ${c.sigTag}`)
      } else if (!c.ok && s.ok) {
        unexpected.push(`${JSON.stringify(name)}: sigil accepts as ${s.sigTag}, cosign rejects (${c.error})`)
      } else {
        tally.bothReject++
      }
    })
    expect(unexpected).toEqual([])
    // The comparison means something only if every kind of case occurred.
    expect(tally.bothAccept).toBeGreaterThan(40)
    expect(tally.bothReject).toBeGreaterThan(40)
    expect(tally.stricter).toBeGreaterThan(10)
    expect(tally.localhost).toBeGreaterThan(0)
  }, 240_000)
})
