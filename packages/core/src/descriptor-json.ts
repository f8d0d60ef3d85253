/**
 * OCI descriptors and platforms in JSON, both ways, shared by every manifest and index format
 * here (signature manifests, referrer manifests, referrers indexes): Go's field order and
 * omitempty rules out, checked shapes in.
 */
import {isDigest} from './digest.js'
import {sortedKeys} from './go-json.js'
import {isJsonObject, kindOf, readOptionalString, readStringMap} from './json-input.js'
import type {Fail} from './json-input.js'
import type {Descriptor, Platform} from './signature-manifest.js'

/** A descriptor as an index may hold it: `urls` and `data` kept so an index round-trips. */
export interface IndexDescriptor extends Descriptor {
  readonly urls?: readonly string[]
  /** Embedded content, base64 as in the JSON. */
  readonly data?: string
}

/** A platform as Go marshals it: omitempty, except `architecture` and `os`. */
export function platformJson(p: Platform): Record<string, unknown> {
  const nonEmpty = <T extends string | readonly string[]>(v: T | undefined) => (v !== undefined && v.length > 0 ? v : undefined)
  return {
    architecture: p.architecture,
    os: p.os,
    'os.version': nonEmpty(p['os.version']),
    'os.features': nonEmpty(p['os.features']),
    variant: nonEmpty(p.variant),
    features: nonEmpty(p.features),
  }
}

/** A descriptor in Go's field order, empty fields left out, annotations key-sorted. */
export function descriptorJson(d: IndexDescriptor): Record<string, unknown> {
  return {
    mediaType: d.mediaType,
    size: d.size,
    digest: d.digest,
    data: d.data || undefined,
    urls: d.urls && d.urls.length > 0 ? d.urls : undefined,
    annotations: d.annotations && Object.keys(d.annotations).length > 0 ? sortedKeys(d.annotations) : undefined,
    platform: d.platform && platformJson(d.platform),
    artifactType: d.artifactType || undefined,
  }
}

export function readStringList(value: unknown, path: string, fail: Fail): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return fail(`${path} must be a list of strings`)
  return value
}

export function readPlatform(value: unknown, path: string, fail: Fail): Platform | undefined {
  if (value === undefined || value === null) return undefined
  if (!isJsonObject(value)) return fail(`${path} must be an object, got ${kindOf(value)}`)
  const platform: Record<string, unknown> = {
    architecture: readOptionalString(value.architecture, `${path}.architecture`, fail) ?? '',
    os: readOptionalString(value.os, `${path}.os`, fail) ?? '',
    'os.version': readOptionalString(value['os.version'], `${path}["os.version"]`, fail),
    'os.features': readStringList(value['os.features'], `${path}["os.features"]`, fail),
    variant: readOptionalString(value.variant, `${path}.variant`, fail),
    features: readStringList(value.features, `${path}.features`, fail),
  }
  for (const key of Object.keys(platform)) if (platform[key] === undefined) delete platform[key]
  return platform as unknown as Platform
}

/**
 * A descriptor read and checked (media type, non-negative integer size, digest); `urls` and
 * `data` kept only with `indexFields` (an index round-trips them; manifests ignore them).
 */
export function readDescriptor(value: unknown, path: string, fail: Fail, indexFields = false): IndexDescriptor {
  if (!isJsonObject(value)) return fail(`${path} must be a descriptor object, got ${kindOf(value)}`)
  const {mediaType, size, digest} = value
  if (typeof mediaType !== 'string') fail(`${path}.mediaType must be a string`)
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(`${path}.size must be a non-negative integer`)
  if (!isDigest(digest)) fail(`${path}.digest ${JSON.stringify(digest)} is not a valid digest`)
  const annotations = readStringMap(value.annotations, `${path}.annotations`, fail)
  const platform = readPlatform(value.platform, `${path}.platform`, fail)
  const artifactType = readOptionalString(value.artifactType, `${path}.artifactType`, fail)
  const urls = indexFields ? readStringList(value.urls, `${path}.urls`, fail) : undefined
  const data = indexFields ? readOptionalString(value.data, `${path}.data`, fail) : undefined
  return {
    mediaType: mediaType as string,
    size: size as number,
    digest: digest as string,
    ...(data && {data}),
    ...(urls && urls.length > 0 && {urls}),
    ...(annotations && {annotations}),
    ...(platform && {platform}),
    ...(artifactType !== undefined && {artifactType}),
  }
}
