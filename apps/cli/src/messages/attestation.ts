import {TLOG_NOTE} from './shared.js'

const TYPE_SHORTCUTS = 'custom (default), slsaprovenance, slsaprovenance02, slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln, openvex'

/** `attest`, `verify-attestation`, `attest-blob`, `verify-blob-attestation`. */
export const attestation = {
  type: `Predicate type: a shortcut (${TYPE_SHORTCUTS}) or a URI used as is.`,
  predicate: 'The predicate file (JSON for every type but custom and spdx). At most 8 MiB.',
  tlogUpload: 'Upload to a transparency log. Not supported: only --tlog-upload=false is accepted.',
  tlogUnsupported: 'sigil does not upload to a transparency log; use --tlog-upload=false (the default).',
  yes: 'Skip confirmation prompts (sigil has none for key-based attestations; accepted for cosign compatibility).',
  verifyType: `Only attestations of this predicate type count: a shortcut (${TYPE_SHORTCUTS}) or a URI. Default: all.`,
  checkClaims: 'Check that a subject of the statement names the image digest (the file digest for blobs).',
  attest: {
    summary: 'Attest container images: sign an in-toto statement about each and push it to its registry (cosign-compatible).',
    description:
      'For each image, resolves the tag to a digest, builds an in-toto v0.1 statement (subject: the repository and digest; predicate from --predicate, shaped by --type as cosign does) ' +
      'and signs it into a DSSE envelope with the key. It is appended to <repo>:sha256-<digest>.att, as cosign 2 does, or with --new-bundle-format pushed as a sigstore bundle referrer, as cosign 3 does ' +
      '(default from SIGIL_NEW_BUNDLE_FORMAT or {"signatureFormat": "bundle"} in ~/.config/sigil/config.json, as for sign).\n\n' +
      TLOG_NOTE,
    examples: [
      '<%= config.bin %> attest --key cosign.key --type slsaprovenance --predicate provenance.json registry.example.com/team/app@sha256:…',
      '<%= config.bin %> attest --key cosign.key --type cyclonedx --predicate sbom.cdx.json --replace registry.example.com/team/app:1.0.0',
      '<%= config.bin %> attest --key awskms:///alias/release --type https://example.com/test-report/v1 --predicate report.json --new-bundle-format IMAGE',
    ],
    replace: 'Remove earlier attestations of the same predicate type from the image (the .att tag; with --new-bundle-format, the earlier referrers).',
    noUpload: 'Do not push: print the signed envelope on stdout (legacy format only).',
    bundleNoUpload: '--no-upload is not supported with --new-bundle-format',
    pushing: (where: string) => `Pushing attestation to: ${where}`,
    duplicate: (where: string) => `Attestation already present in ${where}; nothing to add`,
    replaced: (count: number) => `Replaced ${count} earlier attestation${count === 1 ? '' : 's'} of the same predicate type`,
  },
  verify: {
    summary: 'Verify the attestations of container images against a public key (cosign-compatible).',
    description:
      "Looks in both places cosign keeps attestations (cosign 3's bundle referrers, then the .att tag), checks each DSSE signature against the key, the payload type (in-toto) and that the statement's subject names the image digest, " +
      'then keeps those of --type. Prints each verified envelope as one JSON line on stdout. An image signature is never counted as an attestation. Exit codes: 10 no attestations, 11 no such image, 12 none verified or none of the type.',
    examples: [
      '<%= config.bin %> verify-attestation --key cosign.pub --type slsaprovenance registry.example.com/team/app:1.0.0',
      '<%= config.bin %> verify-attestation --key cosign.pub --json registry.example.com/team/app@sha256:…',
    ],
    header: (name: string, claims: boolean) =>
      [
        '',
        `Verification for ${name} --`,
        'The following checks were performed on each of these signatures:',
        ...(claims ? ['  - The cosign claims were validated'] : []),
        '  - The signatures were verified against the specified public key',
      ].join('\n'),
  },
  attestBlob: {
    summary: 'Attest a file: sign an in-toto statement about it (subject: its name and SHA-256), offline.',
    description:
      'Hashes the file as a stream, builds the in-toto v0.1 statement cosign attest-blob builds (subject name: the file\'s base name) and signs it into a DSSE envelope. ' +
      "Writes the envelope to stdout, or to --output-signature; --bundle writes cosign 3's sigstore bundle (v0.3, DSSE envelope) instead. Files are written atomically and never overwritten without --force.",
    examples: [
      '<%= config.bin %> attest-blob --key cosign.key --type slsaprovenance --predicate provenance.json --bundle app.tar.gz.sigstore.json app.tar.gz',
      '<%= config.bin %> attest-blob --key cosign.key --predicate notes.txt --output-signature app.tar.gz.att.json app.tar.gz',
    ],
    bundle: "Write cosign 3's sigstore bundle (v0.3, holding the DSSE envelope) to this file.",
    outputSignature: 'Write the DSSE envelope to this file instead of stdout.',
    force: 'Overwrite --bundle / --output-signature files that exist.',
    hashing: (file: string) => `Using payload from: ${file}`,
    wrote: (what: string, file: string) => `${what} written to ${file}`,
  },
  verifyBlob: {
    summary: 'Verify an attestation of a file (a DSSE envelope or a sigstore bundle) against a public key.',
    description:
      'Checks the DSSE signature with the key, the payload type (in-toto), that a subject of the statement has the file\'s SHA-256 (hashed as a stream), and --type. Prints "Verified OK" on stderr.',
    examples: [
      '<%= config.bin %> verify-blob-attestation --key cosign.pub --bundle app.tar.gz.sigstore.json --type slsaprovenance app.tar.gz',
      '<%= config.bin %> verify-blob-attestation --key cosign.pub --signature app.tar.gz.att.json app.tar.gz',
    ],
    signature: 'The DSSE envelope file (what attest-blob writes with --output-signature or on stdout).',
    bundle: "A bundle file: cosign 3's sigstore bundle holding a DSSE envelope, or cosign 2's attest-blob --bundle file.",
    oneOf: 'pass exactly one of --signature and --bundle',
    verified: 'Verified OK',
  },
}
