/** Token scopes (`repository:team/app:pull,push`) as sets, so tokens can be matched to what a request needs. */

/** Resource (`repository:team/app`) → actions. */
export type ScopeSet = Map<string, Set<string>>

/** Parse `repository:team/app:pull,push` (several may be space-separated) into a ScopeSet. */
export function parseScopes(value: string, into: ScopeSet = new Map()): ScopeSet {
  for (const scope of value.split(/\s+/)) {
    if (scope === '') continue
    const last = scope.lastIndexOf(':')
    const first = scope.indexOf(':')
    if (first === -1 || last === first) {
      if (!into.has(scope)) into.set(scope, new Set())
      continue
    }
    const resource = scope.slice(0, last)
    const actions = into.get(resource) ?? new Set<string>()
    for (const a of scope.slice(last + 1).split(',')) if (a !== '') actions.add(a)
    into.set(resource, actions)
  }
  return into
}

/** Format a ScopeSet as scope strings, resources and actions sorted (stable cache keys). */
export function formatScopes(scopes: ScopeSet): string[] {
  return [...scopes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([resource, actions]) => (actions.size === 0 ? resource : `${resource}:${[...actions].sort().join(',')}`))
}

/** True when `have` grants every action `need` asks for (`*` grants all). */
export function covers(have: ScopeSet, need: ScopeSet): boolean {
  for (const [resource, actions] of need) {
    const got = have.get(resource)
    if (got === undefined) return false
    if (got.has('*')) continue
    for (const a of actions) if (!got.has(a)) return false
  }
  return true
}

/** Every resource and action of `a` and `b`. */
export function unionScopes(a: ScopeSet, b: ScopeSet): ScopeSet {
  const out: ScopeSet = new Map()
  for (const s of [a, b]) {
    for (const [resource, actions] of s) {
      const set = out.get(resource) ?? new Set<string>()
      for (const x of actions) set.add(x)
      out.set(resource, set)
    }
  }
  return out
}
