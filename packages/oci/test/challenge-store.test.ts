/**
 * Remembered auth challenges against the real distribution registry with token auth: a later
 * run authenticates its first request up front (no 401), and a stale memory is corrected by
 * the registry, never trusted over it. Under CI=true a missing registry fails this file.
 */
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {REGISTRY_SKIP_REASON, pushRandomImage, requireRegistry, startRegistry, type TestRegistry} from '@sigil/test-servers'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {RegistryClient, fileChallengeStore, type RequestEvent} from '../src/index.js'

const available = requireRegistry()
const writer = {kind: 'basic' as const, username: 'writer', password: 'writer-pw'}

describe.skipIf(!available)(`remembered challenges${available ? '' : ` (${REGISTRY_SKIP_REASON})`}`, () => {
  let registry: TestRegistry
  let dir: string
  const repo = () => ({registry: registry.host, repository: 'memo/app'})

  beforeAll(async () => {
    registry = await startRegistry({tokenAuth: {users: {writer: {password: writer.password, access: {'memo/app': ['pull', 'push']}}}}})
    dir = await mkdtemp(join(tmpdir(), 'sigil-challenges-'))
    await pushRandomImage(new RegistryClient({credentials: async () => writer}), repo(), 'v1')
  })
  afterAll(async () => {
    await registry?.stop()
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  const client = (storePath: string, events: RequestEvent[]) =>
    new RegistryClient({credentials: async () => writer, challengeStore: fileChallengeStore(storePath), onRequest: (e) => events.push(e)})
  const tokenRequests = () => registry.tokenServer!.requests.length
  // Registry requests only (the token server's are counted at the token server).
  const statuses = (events: RequestEvent[]) => events.filter((e) => e.url.includes('/v2/')).map((e) => e.status)

  test('the first run learns the challenge from a 401; the next run sends its first request authenticated', async () => {
    const path = join(dir, 'first', 'challenges.json')
    const first: RequestEvent[] = []
    await client(path, first).getManifest(repo(), 'v1')
    expect(statuses(first)).toEqual([401, 200])
    const stored = JSON.parse(await readFile(path, 'utf8'))
    expect(stored[registry.host]).toMatchObject({scheme: 'bearer', realm: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/token$/)})
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(JSON.stringify(stored)).not.toContain(writer.password)

    const second: RequestEvent[] = []
    const before = tokenRequests()
    await client(path, second).getManifest(repo(), 'v1')
    expect(statuses(second)).toEqual([200])
    expect(tokenRequests() - before).toBe(1)
  })

  test('a remembered realm that is dead is forgotten: the registry\'s 401 says where to go', async () => {
    const path = join(dir, 'dead', 'challenges.json')
    await client(path, []).getManifest(repo(), 'v1') // learn the real one
    await writeFile(path, JSON.stringify({[registry.host]: {scheme: 'bearer', realm: 'http://127.0.0.1:9/token', service: 'x'}}))
    const events: RequestEvent[] = []
    const m = await client(path, events).getManifest(repo(), 'v1')
    expect(m.digest).toMatch(/^sha256:/)
    expect(statuses(events)).toEqual([401, 200])
    expect(JSON.parse(await readFile(path, 'utf8'))[registry.host].realm).not.toBe('http://127.0.0.1:9/token')
  })

  test('a remembered challenge the registry contradicts (Basic, now Bearer) is corrected, not reported as bad credentials', async () => {
    const path = join(dir, 'wrong', 'challenges.json')
    await client(path, []).getManifest(repo(), 'v1')
    const real = JSON.parse(await readFile(path, 'utf8'))[registry.host]
    await writeFile(path, JSON.stringify({[registry.host]: {scheme: 'basic'}}))
    const events: RequestEvent[] = []
    const m = await client(path, events).getManifest(repo(), 'v1')
    expect(m.digest).toMatch(/^sha256:/)
    expect(statuses(events)).toEqual([401, 200])
    expect(JSON.parse(await readFile(path, 'utf8'))[registry.host]).toEqual(real)
  })

  test('garbage in the store file is ignored', async () => {
    const path = join(dir, 'garbage.json')
    await writeFile(path, '{not json')
    const events: RequestEvent[] = []
    await client(path, events).getManifest(repo(), 'v1')
    expect(statuses(events)).toEqual([401, 200])
  })
})
