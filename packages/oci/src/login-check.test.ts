import {afterEach, describe, expect, test} from 'vitest'
import {startSilentServer, type SilentServer} from '../test/wire-server.js'
import {checkRegistryLogin} from './login-check.js'

const servers: SilentServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
async function silent(): Promise<SilentServer> {
  const s = await startSilentServer()
  servers.push(s)
  return s
}
const elapsedSince = (started: number): number => Date.now() - started

// A check without a deadline waits two minutes here: the test timeout is what fails it.
describe('checkRegistryLogin bounded waits', () => {
  test('a registry that accepts and never answers: the check ends at its deadline', {timeout: 10_000}, async () => {
    const s = await silent()
    const started = Date.now()
    const err = await checkRegistryLogin(s.host, {kind: 'basic', username: 'u', password: 'p'}, {operationTimeoutMs: 1000}).catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeLessThan(2000)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {timeout: true}})
    expect((err as Error).message).toBe(`registry ${s.host} did not answer the request for the login check of ${s.host} within 1s`)
  })

  test('totalTimeoutMs (--timeout) bounds the check when it is the shorter', {timeout: 10_000}, async () => {
    const s = await silent()
    const started = Date.now()
    const err = await checkRegistryLogin(s.host, {kind: 'basic', username: 'u', password: 'p'}, {totalTimeoutMs: 800}).catch((e: unknown) => e)
    expect(elapsedSince(started)).toBeLessThan(1800)
    expect(err).toMatchObject({code: 'REGISTRY_UNREACHABLE', details: {timeout: true, timeoutMs: 800}})
  })
})
