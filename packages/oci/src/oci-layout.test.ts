import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {OCI_MANIFEST_MEDIA_TYPE, sha256Digest} from '@sigil/core'
import {afterAll, describe, expect, test} from 'vitest'
import {createOciLayout, openOciLayout} from './oci-layout.js'

const root = mkdtempSync(join(tmpdir(), 'sigil-oci-layout-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))
let n = 0
const bytes = (s: string) => new TextEncoder().encode(s)

async function written(dir: string, content = 'hello'): Promise<string> {
  const writer = await createOciLayout(dir)
  const blob = bytes(content)
  await writer.writeBlob(sha256Digest(blob), blob)
  await writer.commit([{mediaType: OCI_MANIFEST_MEDIA_TYPE, size: blob.length, digest: sha256Digest(blob), annotations: {kind: 'dev.cosignproject.cosign/image'}}])
  return sha256Digest(blob)
}

describe('OCI image layouts on disk', () => {
  test('a layout is written beside the target and appears whole; it reads back with its blobs checked', async () => {
    const dir = join(root, `l${++n}`)
    const writer = await createOciLayout(dir)
    await writer.writeBlob(sha256Digest(bytes('a')), bytes('a'))
    expect(readdirSync(root)).not.toContain(`l${n}`) // nothing at the target before commit
    await writer.commit([{mediaType: OCI_MANIFEST_MEDIA_TYPE, size: 1, digest: sha256Digest(bytes('a'))}])
    expect(readdirSync(dir).sort()).toEqual(['blobs', 'index.json', 'oci-layout'])
    expect(readFileSync(join(dir, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}')
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const layout = await openOciLayout(dir)
    expect((await layout.index()).manifests.map((m) => m.digest)).toEqual([sha256Digest(bytes('a'))])
    expect(new TextDecoder().decode(await layout.readBlob(sha256Digest(bytes('a'))))).toBe('a')
    await layout.checkBlob({digest: sha256Digest(bytes('a')), size: 1})
    expect(await layout.listBlobs()).toEqual([{digest: sha256Digest(bytes('a')), size: 1}])
  })

  test('writeBlobStream: streamed to a temporary file, in place only when digest and size match; openBlob streams it back', async () => {
    const dir = join(root, `l${++n}`)
    const writer = await createOciLayout(dir)
    const blob = Buffer.alloc(3 * 1024 * 1024, 5)
    const digest = sha256Digest(blob)
    await expect(writer.writeBlobStream(digest, blob.length, Readable.from([blob.subarray(0, 10), Buffer.alloc(blob.length - 10, 6)]))).rejects.toMatchObject({code: 'DIGEST_MISMATCH'})
    await expect(writer.writeBlobStream(digest, blob.length + 1, Readable.from([blob]))).rejects.toMatchObject({code: 'DIGEST_MISMATCH', message: expect.stringContaining(`${blob.length} bytes arrived`) as unknown})
    const failing = new Readable({
      read() {
        this.destroy(new Error('source broke'))
      },
    })
    await expect(writer.writeBlobStream(digest, blob.length, failing)).rejects.toThrow('source broke')
    const temp = readdirSync(root).find((f) => f.startsWith(`.l${n}.`))!
    expect(readdirSync(join(root, temp, 'blobs', 'sha256'))).toEqual([]) // no partial file left
    await writer.writeBlobStream(digest, blob.length, Readable.from([blob.subarray(0, 1000), blob.subarray(1000)]))
    await writer.commit([{mediaType: OCI_MANIFEST_MEDIA_TYPE, size: blob.length, digest}])
    const layout = await openOciLayout(dir)
    await layout.checkBlob({digest, size: blob.length})
    const chunks: Buffer[] = []
    for await (const c of await layout.openBlob(digest)) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).equals(blob)).toBe(true)
    await expect(layout.openBlob(sha256Digest(bytes('absent')))).rejects.toMatchObject({code: 'INVALID_LAYOUT'})
  })

  test('a blob that does not match its digest is refused on write and on read', async () => {
    const writer = await createOciLayout(join(root, `l${++n}`))
    await expect(writer.writeBlob(sha256Digest(bytes('a')), bytes('b'))).rejects.toMatchObject({code: 'DIGEST_MISMATCH'})
    await writer.abort()
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const dir = join(root, `l${++n}`)
    const digest = await written(dir)
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), 'hellO')
    const layout = await openOciLayout(dir)
    await expect(layout.readBlob(digest)).rejects.toMatchObject({code: 'INVALID_LAYOUT', message: expect.stringMatching(/does not match its digest/)})
    await expect(layout.checkBlob({digest, size: 5})).rejects.toMatchObject({code: 'INVALID_LAYOUT'})
    await expect(layout.readBlob(digest, {size: 4})).rejects.toMatchObject({message: expect.stringMatching(/is 5 bytes, its descriptor says 4/)})
    await expect(layout.readBlob(sha256Digest(bytes('x')))).rejects.toMatchObject({code: 'INVALID_LAYOUT', message: expect.stringMatching(/incomplete: blob sha256:[0-9a-f]{64} is missing/)})
  })

  test('an existing layout is replaced only with force; a non-empty directory that is not a layout never; an empty one is used', async () => {
    const dir = join(root, `l${++n}`)
    await written(dir, 'first')
    await expect(createOciLayout(dir)).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(/pass --force/)})
    const second = await createOciLayout(dir, {force: true})
    await second.commit([])
    expect((await (await openOciLayout(dir)).index()).manifests).toEqual([])
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]) // replaced whole, no stale blob
    const busy = join(root, `l${++n}`)
    mkdirSync(busy)
    writeFileSync(join(busy, 'mine'), 'x')
    await expect(createOciLayout(busy, {force: true})).rejects.toMatchObject({code: 'INVALID_ARGUMENT', message: expect.stringMatching(/not empty and is not an OCI image layout/)})
    const empty = join(root, `l${++n}`)
    mkdirSync(empty)
    await written(empty)
    expect(readdirSync(empty).sort()).toEqual(['blobs', 'index.json', 'oci-layout'])
  })

  test('what is not a layout is named: no directory, no oci-layout, a bad index.json; an unwritable target is LAYOUT_WRITE_FAILED', async () => {
    await expect(openOciLayout(join(root, 'absent'))).rejects.toMatchObject({code: 'INVALID_LAYOUT', message: expect.stringMatching(/no such directory/)})
    const plain = join(root, `l${++n}`)
    mkdirSync(plain)
    await expect(openOciLayout(plain)).rejects.toMatchObject({code: 'INVALID_LAYOUT', message: expect.stringMatching(/has no oci-layout file/)})
    const dir = join(root, `l${++n}`)
    await written(dir)
    writeFileSync(join(dir, 'index.json'), '{"schemaVersion":2,"manif')
    await expect((await openOciLayout(dir)).index()).rejects.toMatchObject({code: 'INVALID_LAYOUT', message: expect.stringMatching(/not JSON/)})
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}')
    await expect(openOciLayout(dir)).rejects.toMatchObject({code: 'INVALID_LAYOUT'})
    const file = join(root, `f${++n}`)
    writeFileSync(file, 'x')
    await expect(createOciLayout(join(file, 'sub'))).rejects.toMatchObject({code: 'LAYOUT_WRITE_FAILED'})
  })
})
