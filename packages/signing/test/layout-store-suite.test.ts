/**
 * The attachment-store conformance suite on the OCI layout store (`verify --local-image`), both
 * formats: legacy `.sig`/`.att` images and bundle referrers, seeded straight into a layout on
 * disk the way `sigil save` writes one (blobs, then index.json), never through the store.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {
  LAYOUT_KINDS,
  LAYOUT_KIND_ANNOTATION,
  LAYOUT_REF_NAME_ANNOTATION,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_EMPTY_JSON,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  buildBundleReferrerManifest,
  buildLayoutIndex,
  buildLayoutMarker,
  buildSignatureConfig,
  buildSignatureManifest,
  parseLayoutIndex,
  parseSignatureManifest,
  sha256Digest,
  signatureTag,
} from '@sigil/core'
import type {AttachmentKind, AttachmentStore, AttachmentSubject, Descriptor, IndexDescriptor} from '@sigil/core'
import {openOciLayout} from '@sigil/oci'
import {attachmentStoreSuite} from '@sigil/testkit'
import type {AttachmentItem} from '@sigil/testkit'
import {afterAll, describe, test} from 'vitest'
import {ociLayoutStore} from '../src/index.js'
import {legacyLayer} from './attachment-writers.js'

const SUFFIX = {signature: 'sig', attestation: 'att', sbom: 'sbom'} as const
const KIND = {signature: LAYOUT_KINDS.sigs, attestation: LAYOUT_KINDS.atts, sbom: LAYOUT_KINDS.sboms} as const
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, {recursive: true, force: true})))

/** A layout on disk holding one (fake) image, and a writer for it that is not the store. */
async function layoutDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-layout-suite-'))
  dirs.push(dir)
  await mkdir(join(dir, 'blobs', 'sha256'), {recursive: true})
  const image = new TextEncoder().encode('{"schemaVersion":2}')
  await writeFile(join(dir, 'blobs', 'sha256', sha256Digest(image).slice(7)), image)
  await writeFile(join(dir, 'oci-layout'), buildLayoutMarker())
  await writeFile(join(dir, 'index.json'), buildLayoutIndex([{mediaType: OCI_MANIFEST_MEDIA_TYPE, size: image.length, digest: sha256Digest(image), annotations: {[LAYOUT_KIND_ANNOTATION]: LAYOUT_KINDS.image}}]))
  return dir
}

function layoutWriter(dir: string) {
  const blob = async (bytes: Uint8Array): Promise<string> => {
    const digest = sha256Digest(bytes)
    await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes)
    return digest
  }
  const index = async () => [...parseLayoutIndex(await readFile(join(dir, 'index.json'))).manifests]
  const writeIndex = (manifests: IndexDescriptor[]) => writeFile(join(dir, 'index.json'), buildLayoutIndex(manifests))
  return {
    async seed(subject: AttachmentSubject, kind: AttachmentKind, items: readonly AttachmentItem[]) {
      const manifests = await index()
      if (items.every((i) => i.format === 'sigstore-bundle')) {
        await blob(new TextEncoder().encode(OCI_EMPTY_JSON))
        for (const item of items) {
          if (item.format !== 'sigstore-bundle') continue
          const manifest = buildBundleReferrerManifest({
            subject: {mediaType: subject.mediaType ?? OCI_MANIFEST_MEDIA_TYPE, size: subject.size ?? 512, digest: subject.digest},
            bundleDescriptor: {size: item.bundle.length, digest: await blob(item.bundle), mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE},
            predicateType: item.predicateType,
            created: new Date(),
          })
          manifests.push({mediaType: OCI_MANIFEST_MEDIA_TYPE, size: manifest.length, digest: await blob(manifest), artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE})
        }
        return writeIndex(manifests)
      }
      const tag = signatureTag(subject.digest, SUFFIX[kind])
      const at = manifests.findIndex((d) => d.annotations?.[LAYOUT_REF_NAME_ANNOTATION] === tag)
      const layers: Descriptor[] = at < 0 ? [] : [...parseSignatureManifest(await readFile(join(dir, 'blobs', 'sha256', manifests[at]!.digest.slice(7)))).layers]
      for (const item of items) {
        const {content, mediaType, annotations} = legacyLayer(item)
        layers.push({mediaType, size: content.length, digest: await blob(content), annotations})
      }
      const config = buildSignatureConfig(layers.map((l) => l.digest))
      const manifest = buildSignatureManifest({config: {mediaType: OCI_CONFIG_MEDIA_TYPE, size: config.length, digest: await blob(config)}, layers})
      const entry = {mediaType: OCI_MANIFEST_MEDIA_TYPE, size: manifest.length, digest: await blob(manifest), annotations: {[LAYOUT_KIND_ANNOTATION]: KIND[kind], [LAYOUT_REF_NAME_ANNOTATION]: tag}}
      if (at < 0) manifests.push(entry)
      else manifests[at] = entry
      return writeIndex(manifests)
    },
    async breakListing() {
      // index.json cut short, as a copy interrupted half-way leaves it.
      const bytes = await readFile(join(dir, 'index.json'))
      await writeFile(join(dir, 'index.json'), bytes.subarray(0, bytes.length >> 1))
    },
  }
}

/**
 * One layout per repository (a layout holds one saved image): each test's subjects get their own,
 * a sibling subject shares its layout, so a broken listing breaks no other test's.
 */
function perRepository() {
  const layouts = new Map<string, Promise<string>>()
  const dirOf = (subject: AttachmentSubject) => {
    let dir = layouts.get(subject.repository)
    if (!dir) layouts.set(subject.repository, (dir = layoutDir()))
    return dir
  }
  const storeOf = async (subject: AttachmentSubject) => ociLayoutStore(await openOciLayout(await dirOf(subject)))
  const store = (): AttachmentStore => ({
    name: 'oci-layout',
    list: async (subject, kind) => (await storeOf(subject)).list(subject, kind),
    read: async (subject, attachment) => (await storeOf(subject)).read(subject, attachment),
  })
  return {
    store,
    seed: async (subject: AttachmentSubject, kind: AttachmentKind, items: readonly AttachmentItem[]) => layoutWriter(await dirOf(subject)).seed(subject, kind, items),
    breakListing: async (subject: AttachmentSubject) => layoutWriter(await dirOf(subject)).breakListing(),
  }
}

describe('ociLayoutStore passes the conformance suite: legacy .sig/.att images', () => {
  attachmentStoreSuite(test, {...perRepository(), order: 'seeded', faultCode: 'INVALID_LAYOUT'})
})

describe('ociLayoutStore passes the conformance suite: cosign 3 bundle referrers', () => {
  attachmentStoreSuite(test, {...perRepository(), formats: {signature: 'sigstore-bundle', attestation: 'sigstore-bundle'}, faultCode: 'INVALID_LAYOUT'})
})
