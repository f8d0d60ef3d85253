/**
 * Endpoint override, gcloud's way: `CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS` holds a URL such as
 * `https://cloudkms.example.internal/` (the Node client reads no variable of its own). An
 * `http://` URL is accepted only for loopback hosts and means a plaintext gRPC channel (emulators).
 */
import {isLoopbackHost} from '@sigil/core'
import {GcpKmsError} from './error.js'

/** The variable gcloud reads for a Cloud KMS endpoint override. */
export const GCP_KMS_ENDPOINT_VARIABLE = 'CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS'

/** Where the client connects. */
export type GcpKmsEndpoint =
  | {readonly kind: 'default'}
  /** TLS with Application Default Credentials, to `host:port`. */
  | {readonly kind: 'tls'; readonly host: string; readonly port: number}
  /** Plaintext gRPC to a loopback emulator; no credentials are sent. */
  | {readonly kind: 'plaintext'; readonly host: string; readonly port: number}

/**
 * The endpoint `env` asks for.
 * @throws GcpKmsError INVALID_ARGUMENT for a malformed URL, another scheme, or `http://` to a non-loopback host
 */
export function gcpKmsEndpoint(env: Readonly<Record<string, string | undefined>>): GcpKmsEndpoint {
  const value = env[GCP_KMS_ENDPOINT_VARIABLE]?.trim()
  if (!value) return {kind: 'default'}
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new GcpKmsError(
      'INVALID_ARGUMENT',
      `${GCP_KMS_ENDPOINT_VARIABLE}="${value}" is not a URL; expected e.g. https://cloudkms.example.internal/`,
    )
  }
  const host = url.hostname
  if (url.protocol === 'https:') return {kind: 'tls', host, port: url.port ? Number(url.port) : 443}
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(host)) {
      throw new GcpKmsError(
        'INVALID_ARGUMENT',
        `${GCP_KMS_ENDPOINT_VARIABLE}="${value}": plaintext http:// is only allowed for loopback hosts (an emulator on 127.0.0.1); use https://`,
      )
    }
    return {kind: 'plaintext', host, port: url.port ? Number(url.port) : 80}
  }
  throw new GcpKmsError(
    'INVALID_ARGUMENT',
    `${GCP_KMS_ENDPOINT_VARIABLE}="${value}": unsupported scheme ${url.protocol}; use https:// (or http:// for a loopback emulator)`,
  )
}
