/**
 * The client side of sigstore's executable KMS plugin protocol
 * (sigstore/sigstore `pkg/signature/kms/cliplugin`), so plugins written for cosign work with
 * sigil unchanged: the program `sigstore-kms-<scheme>` gets the protocol version as argv[1],
 * a JSON `PluginArgs` as argv[2] and the message on stdin, and answers a JSON `PluginResp` on
 * stdout. Its exit status is ignored; errors come back as `errorMessage`; its stderr is ours.
 *
 * The exact shapes follow what cosign 2.5 sends (captured from the real binary): version
 * `v1`, `keyResourceID` = the reference without its `scheme://`, `rpcOptions` always present.
 * (sigstore's current source says version "1"; released cosign speaks "v1".)
 */
import {SigilError} from '@sigil/core'

export const PROTOCOL_VERSION = 'v1'

/** Go's `crypto.Hash` numbers, as the protocol serialises them. */
export const GO_HASH = {sha224: 4, sha256: 5, sha384: 6, sha512: 7} as const

/** The methods sigil calls. */
export type PluginMethod = 'defaultAlgorithm' | 'publicKey' | 'signMessage' | 'createKey'

/** One call: what goes in argv[2]. */
export interface PluginCall {
  /** The key reference without its `scheme://` prefix, as cosign passes it. */
  readonly keyResourceID: string
  readonly hashFunc: number
  readonly method: PluginMethod
  /** The method's own argument object (`{publicKeyOptions: {...}}`, …). */
  readonly args: Record<string, unknown>
  /** Sent on stdin (the message for signMessage). */
  readonly stdin?: Uint8Array
  /** Default 60 s. */
  readonly timeoutMs?: number
}

/** The parsed `PluginResp`. */
export interface PluginResponse {
  readonly errorMessage?: string
  readonly [method: string]: unknown
}

/** Run `executable` once for `call` and return its response, or throw a SigilError. */
export function invokePlugin(executable: string, call: PluginCall): Promise<PluginResponse> {
  const deadline = new Date(Date.now() + (call.timeoutMs ?? 60_000)).toISOString()
  const argv = JSON.stringify({
    initOptions: {
      ctxDeadline: deadline,
      protocolVersion: PROTOCOL_VERSION,
      keyResourceID: call.keyResourceID,
      hashFunc: call.hashFunc,
      rpcOptions: {keyVersion: '', remoteVerification: false},
    },
    methodName: call.method,
    [call.method]: call.args,
  })
  return new Promise((resolve, reject) => {
    // Loaded when a plugin actually runs: most sigil commands never start one.
    const {spawn} = process.getBuiltinModule('node:child_process')
    const child = spawn(executable, [PROTOCOL_VERSION, argv], {stdio: ['pipe', 'pipe', 'inherit']})
    const chunks: Buffer[] = []
    const timer = setTimeout(() => child.kill('SIGKILL'), call.timeoutMs ?? 60_000)
    child.stdout.on('data', (d: Buffer) => chunks.push(d))
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new SigilError('PLUGIN_FAILED', `cannot run ${executable}: ${err.message}`, {cause: err}))
    })
    child.on('close', (_code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') {
        reject(new SigilError('PLUGIN_FAILED', `${executable} ${call.method} timed out`))
        return
      }
      const text = Buffer.concat(chunks).toString('utf8')
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        reject(new SigilError('PLUGIN_FAILED', `${executable} ${call.method} did not answer JSON on stdout (got ${JSON.stringify(text.slice(0, 120))})`))
        return
      }
      if (typeof parsed !== 'object' || parsed === null) {
        reject(new SigilError('PLUGIN_FAILED', `${executable} ${call.method} answered ${JSON.stringify(parsed)}, not an object`))
        return
      }
      const resp = parsed as PluginResponse
      if (resp.errorMessage) {
        reject(new SigilError('KMS_ERROR', `${executable} ${call.method}: ${resp.errorMessage}`))
        return
      }
      resolve(resp)
    })
    child.stdin.on('error', () => {}) // a plugin that exits without reading stdin is not an error here
    child.stdin.end(call.stdin ?? new Uint8Array())
  })
}

/** A base64 `[]byte` field of a response (Go marshals byte slices as standard base64). */
export function bytesField(resp: PluginResponse, method: string, field: string, executable: string): Uint8Array {
  const value = (resp[method] as Record<string, unknown> | undefined)?.[field]
  if (typeof value !== 'string') {
    throw new SigilError('PLUGIN_FAILED', `${executable} ${method}: the response has no ${method}.${field}`)
  }
  return new Uint8Array(Buffer.from(value, 'base64'))
}
