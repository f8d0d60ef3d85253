/**
 * How long to wait before reading a read-modify-write back: clearly longer than another
 * writer's read-modify-write takes (about as long as ours, on the same registry, under the same
 * load): 2–4 times ours, jittered so racing writers spread out; at least `min` ms, at most 2 s.
 * (1.1–1.9 times lost one signature in 48 under 16 racing signers on two cores; 2–4 lost none.)
 */
export function settleDelay(tookMs: number, min = 25): number {
  const base = Math.min(2000, Math.max(min, 2 * tookMs))
  return base + Math.random() * base
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The registry refused a manifest because a blob it names is not there, which happens for a
 * moment when another writer uploads the same blob (the empty config, a shared payload) at the
 * same time: worth another round, not a failure.
 */
export function blobRace(err: unknown): boolean {
  const entries = (err as {details?: {registryErrors?: Array<{code?: string}>}})?.details?.registryErrors ?? []
  return entries.some((e) => e.code === 'MANIFEST_BLOB_UNKNOWN' || e.code === 'BLOB_UNKNOWN')
}

/**
 * Read a read-modify-write back after it: pause {@link settleDelay} of `tookMs`, read; when the
 * write was `contended` (others write too) and the entry is there, look once more after a pause
 * twice as long, since a concurrent writer's stale list may still land. Returns the last read.
 */
export async function readBack<T>(
  tookMs: number,
  settleMs: number | undefined,
  read: () => Promise<T>,
  present: (read: T) => boolean,
  contended: (firstRead: T) => boolean,
): Promise<T> {
  await sleep(settleDelay(tookMs, settleMs))
  const first = await read()
  if (!contended(first) || !present(first)) return first
  await sleep(settleDelay(2 * tookMs, settleMs))
  return read()
}
