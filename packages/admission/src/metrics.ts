/**
 * The controller's Prometheus metrics (text exposition format 0.0.4): counters by label set and
 * one latency histogram. Labels carry outcomes and paths only, never image names or secrets.
 */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({})

class Counter {
  private readonly values = new Map<string, number>()
  /** Label sets passed again and again (constants): their text is made once. */
  private readonly texts = new WeakMap<object, string>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Readonly<Record<string, string>> = NO_LABELS, by = 1): void {
    let key = this.texts.get(labels)
    if (key === undefined) {
      key = labelText(labels)
      if (Object.isFrozen(labels)) this.texts.set(labels, key)
    }
    this.values.set(key, (this.values.get(key) ?? 0) + by)
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`)
    if (this.values.size === 0) lines.push(`${this.name} 0`)
    return lines.join('\n')
  }
}

class Histogram {
  private readonly counts = new Array<number>(BUCKETS.length).fill(0)
  private sum = 0
  private count = 0
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  observe(seconds: number): void {
    this.sum += seconds
    this.count++
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.counts[i]!++
    })
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    BUCKETS.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`))
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`)
    return lines.join('\n')
  }
}

/** Every metric the controller exports. */
export class AdmissionMetrics {
  readonly requests = new Counter('sigil_admission_requests_total', 'HTTP requests by path and status code.')
  readonly decisions = new Counter('sigil_admission_decisions_total', 'Image decisions by outcome (allowed, denied, warned) and reason.')
  readonly verificationSeconds = new Histogram('sigil_admission_verification_seconds', 'Time of one image verification against the registry (cache misses only).')
  readonly cacheHits = new Counter('sigil_admission_cache_hits_total', 'Image decisions answered from the cache or a verification already under way.')
  readonly cacheMisses = new Counter('sigil_admission_cache_misses_total', 'Image decisions that started a verification.')
  readonly registryErrors = new Counter('sigil_admission_registry_errors_total', 'Verifications that failed for a registry fault or the internal deadline.')
  readonly policyReloads = new Counter('sigil_admission_policy_reloads_total', 'Policy reloads by result (ok, refused).')

  text(): string {
    return `${[this.requests, this.decisions, this.verificationSeconds, this.cacheHits, this.cacheMisses, this.registryErrors, this.policyReloads].map((m) => m.text()).join('\n')}\n`
  }
}
