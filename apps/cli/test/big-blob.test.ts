/**
 * Blobs of several hundred MiB through `sigil copy`, `save` and `load`, on real registries
 * (distribution 2.8): streamed in constant memory (the peak RSS of the sigil process is read
 * from /proc/<pid>/status while it runs, and must stay far below the blob's size), verified as
 * the bytes pass (a storage server that corrupts one byte mid-stream → exit 1, nothing pushed,
 * no layout), and blob GETs redirected to another host (a loopback "storage" server on another
 * port) are followed without the registry's credentials; copy's progress line on a terminal
 * advances with the bytes.
 */
import {createCipheriv, createHash} from 'node:crypto'
import {createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable, Transform} from 'node:stream'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient} from '@sigil/oci'
import type {RepositoryRef} from '@sigil/oci'
import {sha256Digest} from '@sigil/core'
import {requireRegistry, startRegistry} from '@sigil/test-servers'
import type {TestRegistry} from '@sigil/test-servers'
import {sigil, sigilOnTerminal} from './run-cli.js'

const MIB = 1024 * 1024
const BLOB_BYTES = 320 * MIB
/** A sigil process holding the blob would exceed BLOB_BYTES; one that streams stays near its start-up size (~50 MiB). */
const MAX_RSS_BYTES = 200 * MIB
const USER = {username: 'puller', password: 'pw-big-blob'}
const BASIC = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`
const LAYER = 'application/vnd.oci.image.layer.v1.tar'

/** Deterministic pseudo-random bytes (AES-128-CTR over zeros), `size` of them, in 1 MiB chunks. */
function pseudoRandom(size: number): Readable {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0))
  const zeros = Buffer.alloc(MIB)
  let left = size
  return new Readable({
    read() {
      if (left === 0) return void this.push(null)
      const n = Math.min(left, MIB)
      left -= n
      this.push(cipher.update(zeros.subarray(0, n)))
    },
  })
}

async function digestOf(stream: Readable): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of stream) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

/** Run sigil and read the high-water mark of its resident memory (VmHWM) until it exits. */
async function measured(args: string[], env: Record<string, string | undefined>): Promise<{code: number; stdout: string; stderr: string; peakRss: number; ms: number}> {
  let peak = 0
  let timer: NodeJS.Timeout | undefined
  const started = Date.now()
  const result = await sigil(args, {
    env,
    onSpawn: (pid) => {
      timer = setInterval(() => {
        try {
          const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
          if (kib !== undefined) peak = Math.max(peak, Number(kib) * 1024)
        } catch {
          // exited
        }
      }, 20)
    },
  })
  clearInterval(timer)
  return {...result, peakRss: peak, ms: Date.now() - started}
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

let a: TestRegistry
let b: TestRegistry
let front: http.Server
let storage: http.Server
/** `127.0.0.1:PORT` of the front of registry A: blob GETs are redirected to the storage server. */
let frontHost: string
/** The Authorization header (or none) of every request the storage server got, and the front's blob GETs. */
const storageAuth: Array<string | undefined> = []
const frontBlobAuth: Array<string | undefined> = []
/** Flip one byte 100 MiB into every blob the storage server serves. */
let corrupt = false
let home: string
let env: Record<string, string | undefined>
let digest: string
let manifestDigest: string
let configBytes: number
const aClient = new RegistryClient({credentials: async () => ({kind: 'basic', ...USER})})
const bClient = new RegistryClient()
const ref = (host: string, repository: string): RepositoryRef => ({registry: host, repository})

function forward(req: http.IncomingMessage, res: http.ServerResponse, path: string, headers: http.OutgoingHttpHeaders, through?: Transform): void {
  const [hostname, port] = a.host.split(':') as [string, string]
  const upstream = http.request({hostname, port: Number(port), method: req.method, path, headers: {...headers, host: a.host}}, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    if (through) up.pipe(through).pipe(res)
    else up.pipe(res)
  })
  upstream.on('error', () => res.destroy())
  req.pipe(upstream)
}

beforeAll(async () => {
  requireRegistry()
  ;[a, b] = await Promise.all([startRegistry({htpasswd: USER}), startRegistry()])
  storage = http.createServer((req, res) => {
    storageAuth.push(req.headers.authorization)
    let offset = 0
    const flip = new Transform({
      transform(chunk: Buffer, _e, done) {
        const at = 100 * MIB - offset
        offset += chunk.length
        if (corrupt && at >= 0 && at < chunk.length) chunk[at] = chunk[at]! ^ 0xff
        done(null, chunk)
      },
    })
    // The storage has its own access to the registry's content.
    forward(req, res, req.url!.replace(/^\/storage/, ''), {authorization: BASIC}, flip)
  })
  const storageHost = await listen(storage)
  front = http.createServer((req, res) => {
    if (req.method === 'GET' && /^\/v2\/.+\/blobs\/sha256:[0-9a-f]{64}$/.test(req.url!)) {
      frontBlobAuth.push(req.headers.authorization)
      res.writeHead(307, {location: `http://${storageHost}/storage${req.url}`, 'content-length': '0'})
      res.end()
      return
    }
    const headers = {...req.headers}
    delete headers.host
    forward(req, res, req.url!, headers)
  })
  frontHost = await listen(front)

  home = mkdtempSync(join(tmpdir(), 'sigil-big-blob-'))
  mkdirSync(join(home, '.docker'))
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({auths: {[frontHost]: {auth: Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}}}))
  env = {HOME: home, DOCKER_CONFIG: join(home, '.docker'), SIGIL_DATA_DIR: join(home, 'data'), XDG_CONFIG_HOME: join(home, '.config')}

  // The image: a small config and one big pseudo-random layer, pushed with the client (streamed).
  digest = await digestOf(pseudoRandom(BLOB_BYTES))
  const repo = ref(a.host, 'big/app')
  await aClient.uploadBlobStream(repo, digest, BLOB_BYTES, async () => pseudoRandom(BLOB_BYTES))
  const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
  await aClient.uploadBlob(repo, sha256Digest(config), config)
  configBytes = config.length
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256Digest(config)},
      layers: [{mediaType: LAYER, size: BLOB_BYTES, digest}],
    }),
  )
  manifestDigest = (await aClient.putManifest(repo, 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json')).digest
}, 240_000)

afterAll(async () => {
  await Promise.all([new Promise((r) => front?.close(r)), new Promise((r) => storage?.close(r))])
  front?.closeAllConnections()
  storage?.closeAllConnections()
  await Promise.all([a?.stop(), b?.stop()])
  if (home) rmSync(home, {recursive: true, force: true})
})

describe(`a ${BLOB_BYTES / MIB} MiB layer, streamed`, () => {
  test('copy between registries: constant memory, the storage redirect followed without credentials', async () => {
    corrupt = false
    storageAuth.length = 0
    frontBlobAuth.length = 0
    const r = await measured(['copy', `${frontHost}/big/app:v1`, `${b.host}/big/copy:v1`, '--json'], env)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.code, r.stderr).toBe(0)
    console.log(`copy ${BLOB_BYTES / MIB} MiB registry→registry: ${r.ms} ms, peak RSS ${(r.peakRss / MIB).toFixed(0)} MiB`)
    expect(r.peakRss).toBeGreaterThan(0)
    expect(r.peakRss).toBeLessThan(MAX_RSS_BYTES)
    expect((JSON.parse(r.stdout) as {blobs: {uploaded: number; bytes: number}}).blobs).toMatchObject({uploaded: 2, bytes: BLOB_BYTES + configBytes})
    expect((await bClient.resolveDigest(ref(b.host, 'big/copy'), 'v1')).digest).toBe(manifestDigest)
    expect(await bClient.blobExists(ref(b.host, 'big/copy'), digest)).toBe(true)
    // The registry's credentials went to the registry (its front), never to the storage host.
    expect(frontBlobAuth.some((h) => h === BASIC)).toBe(true)
    expect(storageAuth.length).toBeGreaterThan(0)
    expect(storageAuth.every((h) => h === undefined)).toBe(true)
  }, 300_000)

  test('save to a layout, then load it into another registry: constant memory, the same digests', async () => {
    corrupt = false
    const dir = join(home, 'layout')
    const saved = await measured(['save', `${frontHost}/big/app:v1`, '--dir', dir], env)
    expect(saved.code, saved.stderr).toBe(0)
    console.log(`save ${BLOB_BYTES / MIB} MiB: ${saved.ms} ms, peak RSS ${(saved.peakRss / MIB).toFixed(0)} MiB`)
    expect(saved.peakRss).toBeGreaterThan(0)
    expect(saved.peakRss).toBeLessThan(MAX_RSS_BYTES)
    const file = join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length))
    expect(statSync(file).size).toBe(BLOB_BYTES)
    expect(await digestOf(createReadStream(file))).toBe(digest)

    const loaded = await measured(['load', `${b.host}/big/loaded:v1`, '--dir', dir], env)
    expect(loaded.code, loaded.stderr).toBe(0)
    console.log(`load ${BLOB_BYTES / MIB} MiB: ${loaded.ms} ms, peak RSS ${(loaded.peakRss / MIB).toFixed(0)} MiB`)
    expect(loaded.peakRss).toBeGreaterThan(0)
    expect(loaded.peakRss).toBeLessThan(MAX_RSS_BYTES)
    expect((await bClient.resolveDigest(ref(b.host, 'big/loaded'), 'v1')).digest).toBe(manifestDigest)
    expect(await bClient.blobExists(ref(b.host, 'big/loaded'), digest)).toBe(true)
  }, 300_000)

  test('on a terminal the progress line advances as the bytes stream, not only per blob', async () => {
    corrupt = false
    const t = await sigilOnTerminal(['copy', `${frontHost}/big/app:v1`, `${b.host}/big/tty:v1`], {cwd: home, env}, [['expect', 'Copied ']])
    expect(t.code, t.output).toBe(0)
    // While the big layer is in flight (fewer than 2 of 2 blobs done), several distinct byte counts are shown.
    const during = new Set([...t.output.matchAll(/Copying blobs: [01]\/2, ([0-9.]+) MiB sent/g)].map((m) => Number(m[1])).filter((mib) => mib > 1 && mib < BLOB_BYTES / MIB))
    expect(during.size).toBeGreaterThan(1)
  }, 300_000)

  test('one byte corrupted 100 MiB into the blob: copy fails (exit 1), nothing pushed', async () => {
    corrupt = true
    try {
      const r = await measured(['copy', `${frontHost}/big/app:v1`, `${b.host}/big/bad:v1`], env)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(new RegExp(`blob ${frontHost}/big/app@${digest}: the registry sent content with digest sha256:[0-9a-f]{64}`))
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(await bClient.blobExists(ref(b.host, 'big/bad'), digest)).toBe(false)
      expect(await bClient.getManifestIfExists(ref(b.host, 'big/bad'), 'v1')).toBeUndefined()
    } finally {
      corrupt = false
    }
  }, 300_000)

  test('one byte corrupted: save fails (exit 1), no layout and no temporary files left', async () => {
    corrupt = true
    const parent = mkdtempSync(join(home, 'bad-save-'))
    try {
      const r = await measured(['save', `${frontHost}/big/app:v1`, '--dir', join(parent, 'layout')], env)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/the registry sent content with digest sha256:[0-9a-f]{64}/)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(existsSync(join(parent, 'layout'))).toBe(false)
      expect(readdirSync(parent)).toEqual([])
    } finally {
      corrupt = false
    }
  }, 300_000)
})
