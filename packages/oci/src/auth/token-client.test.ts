import {describe, expect, test} from 'vitest'
import {sendJson, wireServers} from '../../test/wire-server.js'
import {HttpTransport} from '../http/index.js'
import {requestToken, type TokenRequest} from './token-client.js'

const serve = wireServers()
const transport = new HttpTransport({retry: {attempts: 0}})
const request = (realm: string, more: Partial<TokenRequest> = {}): TokenRequest => ({
  registry: 'reg.example',
  realm,
  service: 'svc',
  scopes: [],
  insecure: false,
  clientId: 'sigil',
  ...more,
})

describe('requestToken', () => {
  test('GET with service, scopes, account and Basic credentials; token and expires_in read', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, {access_token: 'tok', expires_in: 300}))
    const issued = await requestToken(
      transport,
      request(`${s.url}/token`, {scopes: ['repository:a:pull'], credential: {kind: 'basic', username: 'u', password: 'p'}}),
    )
    expect(issued).toEqual({token: 'tok', expiresInS: 300})
    const url = new URL(s.requests[0]!.url, s.url)
    expect([...url.searchParams]).toEqual([
      ['service', 'svc'],
      ['scope', 'repository:a:pull'],
      ['account', 'u'],
    ])
    expect(s.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`)
  })

  test('an identity token is exchanged by the OAuth2 refresh-token POST', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, {token: 'tok'}))
    const issued = await requestToken(transport, request(`${s.url}/token`, {credential: {kind: 'identity-token', token: 'refresh'}}))
    expect(issued).toEqual({token: 'tok', expiresInS: 60})
    expect(s.requests[0]!.method).toBe('POST')
    expect(new URLSearchParams(s.requests[0]!.body.toString()).get('grant_type')).toBe('refresh_token')
  })

  test('401 is a rejection; 403 is access denied unless it counts as a rejection (login check)', async () => {
    const s = await serve((req, res) => res.writeHead(req.url.includes('deny') ? 403 : 401).end())
    await expect(requestToken(transport, request(`${s.url}/token`))).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: expect.stringContaining('the token service rejected the credentials for reg.example') as unknown,
    })
    await expect(requestToken(transport, request(`${s.url}/deny`))).rejects.toMatchObject({code: 'REGISTRY_DENIED'})
    await expect(requestToken(transport, request(`${s.url}/deny`, {forbiddenIsRejection: true}))).rejects.toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: expect.stringMatching(/403 Forbidden.*; the token service rejected the credentials for reg\.example$/) as unknown,
    })
  })

  test('a realm that is not an http(s) URL → REGISTRY_PROTOCOL, before any request', async () => {
    await expect(requestToken(transport, request('not a url'))).rejects.toMatchObject({code: 'REGISTRY_PROTOCOL'})
    await expect(requestToken(transport, request('ftp://auth.example/token'))).rejects.toMatchObject({
      code: 'REGISTRY_PROTOCOL',
      message: expect.stringContaining('unsupported scheme ftp:') as unknown,
    })
  })
})
