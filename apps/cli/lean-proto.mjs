const t0 = performance.now()
const [{parseReference}, {RegistryClient}, {fileKeyProvider}, {verifyImage, marshalPayloadForOutput}] = await Promise.all([
  import('@sigil/core'), import('@sigil/oci'), import('@sigil/key-file'), import('@sigil/signing')])
const t1 = performance.now()
const v = await fileKeyProvider().verifier(process.argv[3], {})
const res = await verifyImage(parseReference(process.argv[2]), {client: new RegistryClient(), verifier: v})
const t2 = performance.now()
process.stdout.write(`[${res.signatures.map(s => marshalPayloadForOutput(s.payload)).join(',')}]\n`)
console.error(`imports ${(t1-t0).toFixed(1)} work ${(t2-t1).toFixed(1)}`)
