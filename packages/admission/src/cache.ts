/**
 * A bounded cache of settled results with a time to live per entry, and single flight: callers
 * asking for a key whose computation is under way share it (100 requests for one new image make
 * one verification).
 */

/** How long a result stays, by what it is; 0 keeps it only while in flight. */
export type TtlOf<V> = (value: V) => number

interface Entry<V> {
  readonly value: V
  readonly expires: number
}

export class FlightCache<V> {
  private readonly settled = new Map<string, Entry<V>>()
  private readonly flying = new Map<string, Promise<V>>()

  constructor(
    private readonly maxEntries: number,
    private readonly ttlOf: TtlOf<V>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The cached value or undefined; expired entries are dropped. */
  peek(key: string): V | undefined {
    const e = this.settled.get(key)
    if (e === undefined) return undefined
    if (e.expires <= this.now()) {
      this.settled.delete(key)
      return undefined
    }
    return e.value
  }

  /**
   * The value for `key`: cached (`hit: true`), or the computation under way, or a new one.
   * `compute` should fold failures into the value; a rejection is passed on and not kept.
   */
  get(key: string, compute: () => Promise<V>): {hit: boolean; value: Promise<V>} {
    const cached = this.peek(key)
    if (cached !== undefined) return {hit: true, value: Promise.resolve(cached)}
    const flying = this.flying.get(key)
    if (flying) return {hit: true, value: flying}
    const p = compute().then((value) => {
      this.flying.delete(key)
      const ttl = this.ttlOf(value)
      if (ttl > 0) {
        if (this.settled.size >= this.maxEntries) this.evict()
        this.settled.set(key, {value, expires: this.now() + ttl})
      }
      return value
    }, (err: unknown) => {
      this.flying.delete(key) // a computation that broke its promise is not shared forever
      throw err
    })
    this.flying.set(key, p)
    return {hit: false, value: p}
  }

  get size(): number {
    return this.settled.size
  }

  /** Drop expired entries, then the oldest tenth if still full (Map keeps insertion order). */
  private evict(): void {
    const now = this.now()
    for (const [k, e] of this.settled) if (e.expires <= now) this.settled.delete(k)
    let drop = this.settled.size - Math.floor(this.maxEntries * 0.9)
    for (const k of this.settled.keys()) {
      if (drop-- <= 0) break
      this.settled.delete(k)
    }
  }
}
