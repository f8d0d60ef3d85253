'use strict'
// The floor for a Node.js verify: the three requests `sigil verify` makes (the tag's manifest,
// the `.sig` manifest, the payload blob) and one ECDSA check, on plain node:http with no
// checks, options or error handling. Not a verifier: bench/speed.mjs times it next to sigil and
// cosign to show how much of the difference is Node's own start-up.
// Usage: node bench/node-floor.cjs HOST:PORT REPOSITORY TAG cosign.pub
const http = require('node:http')
const crypto = require('node:crypto')
const fs = require('node:fs')

const [host, repository, tag, pub] = process.argv.slice(2)
const [hostname, port] = host.split(':')
const agent = new http.Agent({keepAlive: true})
const ACCEPT = 'application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'

function get(path) {
  return new Promise((resolve, reject) => {
    http
      .get({hostname, port, path: `/v2/${repository}/${path}`, agent, headers: {accept: ACCEPT}}, (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path}: ${res.statusCode}`))))
      })
      .on('error', reject)
  })
}

;(async () => {
  const key = crypto.createPublicKey(fs.readFileSync(pub))
  const manifest = await get(`manifests/${tag}`)
  const digest = crypto.createHash('sha256').update(manifest).digest('hex')
  const layer = JSON.parse(await get(`manifests/sha256-${digest}.sig`)).layers[0]
  const payload = await get(`blobs/${layer.digest}`)
  const ok = crypto.verify('sha256', payload, key, Buffer.from(layer.annotations['dev.cosignproject.cosign/signature'], 'base64'))
  process.stdout.write(`${ok}\n`)
  agent.destroy()
  process.exitCode = ok ? 0 : 12
})()
