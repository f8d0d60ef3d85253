import {describe, expect, test} from 'vitest'
import * as core from './index.js'
// Type-only exports vanish at runtime; importing them here makes removing one a compile error.
import type {
  BuildPayloadOptions,
  BuildSignatureManifestOptions,
  CheckClaimsOptions,
  ClaimCheckResult,
  DerElement,
  Descriptor,
  DigestAlgorithm,
  EcCurve,
  GeneratedKey,
  GenerateKeyOptions,
  HashAlgorithm,
  ImageReference,
  KeyContext,
  KeyProvider,
  LazyModuleOptions,
  ParsedDigest,
  PemBlock,
  Platform,
  PublicKeyInfo,
  RegistryAdapter,
  RegistryCapabilities,
  RegistryCredential,
  RegistryEndpoint,
  RepositoryReference,
  SigilErrorCode,
  SigilPlugin,
  SignatureAlgorithm,
  SignatureLayers,
  SignatureManifest,
  Signer,
  SimpleSigningPayload,
  Verifier,
  VerifyExistingSignature,
  VerifyOptions,
} from './index.js'

export type PublicTypes = [
  BuildPayloadOptions,
  BuildSignatureManifestOptions,
  CheckClaimsOptions,
  ClaimCheckResult,
  DerElement,
  Descriptor,
  DigestAlgorithm,
  EcCurve,
  GeneratedKey,
  GenerateKeyOptions,
  HashAlgorithm,
  ImageReference,
  KeyContext,
  KeyProvider,
  LazyModuleOptions,
  ParsedDigest,
  PemBlock,
  Platform,
  PublicKeyInfo,
  RegistryAdapter,
  RegistryCapabilities,
  RegistryCredential,
  RegistryEndpoint,
  RepositoryReference,
  SigilErrorCode,
  SigilPlugin,
  SignatureAlgorithm,
  SignatureLayers,
  SignatureManifest,
  Signer,
  SimpleSigningPayload,
  Verifier,
  VerifyExistingSignature,
  VerifyOptions,
]

const functions = [
  'appendSignatureLayer',
  'buildPayload',
  'buildSignatureConfig',
  'buildSignatureManifest',
  'canonicalRegistryHost',
  'canonicalSpki',
  'checkClaims',
  'computeDigest',
  'crc32c',
  'createLocalVerifier',
  'decodePem',
  'decodeStdBase64',
  'digestMatches',
  'dockerConfigKey',
  'ecSpki',
  'encodePem',
  'encodePublicKeyPem',
  'encodeStdBase64',
  'goJsonString',
  'goMarshal',
  'isCanonicalSpki',
  'isDigest',
  'isDigestAlgorithm',
  'isDigestSyntax',
  'isDockerHubHost',
  'isDuplicateSignature',
  'isLoopbackHost',
  'isPrivateKeyPemType',
  'isPublicKeyPemType',
  'isSigilError',
  'isValidTag',
  'lazyModule',
  'parseAnnotationFlags',
  'parseDigest',
  'parsePayload',
  'parseReference',
  'parseRepository',
  'parseSignatureManifest',
  'readDerElement',
  'readDerUnsignedInteger',
  'sha256Digest',
  'signatureTag',
  'sortedKeys',
  'uncompressedEcPoint',
  'withDigest',
  'withTag',
  'wrap',
]

const constants = {
  BUNDLE_ANNOTATION: 'dev.sigstore.cosign/bundle',
  CERTIFICATE_ANNOTATION: 'dev.sigstore.cosign/certificate',
  CHAIN_ANNOTATION: 'dev.sigstore.cosign/chain',
  COSIGN_SIGNATURE_TYPE: 'cosign container image signature',
  DEFAULT_REGISTRY: 'index.docker.io',
  DEFAULT_TAG: 'latest',
  DIGEST_ALGORITHMS: ['sha256', 'sha384', 'sha512'],
  DIGEST_HEX_LENGTH: {sha256: 64, sha384: 96, sha512: 128},
  DOCKER_HUB_CONFIG_KEY: 'https://index.docker.io/v1/',
  DOCKER_HUB_HOSTS: ['index.docker.io', 'docker.io', 'registry-1.docker.io'],
  DOCKER_HUB_REGISTRY: 'index.docker.io',
  EC_COORDINATE_BYTES: {'P-256': 32, 'P-384': 48, 'P-521': 66, secp256k1: 32},
  EC_CURVE_OIDS: {'P-256': '06082a8648ce3d030107', 'P-384': '06052b81040022', 'P-521': '06052b81040023', secp256k1: '06052b8104000a'},
  DOCKER_CONFIG_MEDIA_TYPE: 'application/vnd.docker.container.image.v1+json',
  DOCKER_LIST_MEDIA_TYPE: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_MANIFEST_MEDIA_TYPE: 'application/vnd.docker.distribution.manifest.v2+json',
  MAX_SIGNATURE_LAYERS: 1000,
  OCI_CONFIG_MEDIA_TYPE: 'application/vnd.oci.image.config.v1+json',
  OCI_INDEX_MEDIA_TYPE: 'application/vnd.oci.image.index.v1+json',
  OCI_MANIFEST_MEDIA_TYPE: 'application/vnd.oci.image.manifest.v1+json',
  SIGNATURE_ANNOTATION: 'dev.cosignproject.cosign/signature',
  SIMPLE_SIGNING_MEDIA_TYPE: 'application/vnd.dev.cosign.simplesigning.v1+json',
}

// Runtime exports outside the format modules: errors, verification, encodings and host rules.
const NOT_FORMATS = [
  'isSigilError',
  'wrap',
  'createLocalVerifier',
  'canonicalRegistryHost',
  'canonicalSpki',
  'crc32c',
  'decodePem',
  'decodeStdBase64',
  'dockerConfigKey',
  'ecSpki',
  'encodePem',
  'encodePublicKeyPem',
  'encodeStdBase64',
  'isCanonicalSpki',
  'isDockerHubHost',
  'isLoopbackHost',
  'isPrivateKeyPemType',
  'isPublicKeyPemType',
  'lazyModule',
  'readDerElement',
  'readDerUnsignedInteger',
  'uncompressedEcPoint',
  'DOCKER_HUB_CONFIG_KEY',
  'DOCKER_HUB_HOSTS',
  'DOCKER_HUB_REGISTRY',
  'EC_COORDINATE_BYTES',
  'EC_CURVE_OIDS',
]

describe('the public API of @sigil/core', () => {
  test('exports exactly these runtime names', () => {
    expect(Object.keys(core).sort()).toEqual([...functions, ...Object.keys(constants), 'SigilError', 'formats'].sort())
  })

  test.each(functions)('%s is a function', (name) => {
    expect(typeof core[name as keyof typeof core]).toBe('function')
  })

  test('constants have their cosign values', () => {
    expect(Object.fromEntries(Object.keys(constants).map((k) => [k, core[k as keyof typeof core]]))).toEqual(constants)
  })

  test('SigilError is a class of Error', () => {
    expect(new core.SigilError('INTERNAL', 'x')).toBeInstanceOf(Error)
  })

  test('formats groups the format modules, with the same members as the top level', () => {
    expect(Object.keys(core.formats).sort()).toEqual(['digest', 'goJson', 'reference', 'signatureManifest', 'simpleSigning'])
    const grouped = Object.values(core.formats).flatMap((ns) => Object.entries(ns))
    for (const [name, value] of grouped) expect(core[name as keyof typeof core], name).toBe(value)
    expect(grouped.map(([name]) => name).sort()).toEqual(
      [...functions, ...Object.keys(constants)].filter((n) => !NOT_FORMATS.includes(n)).sort(),
    )
  })
})
