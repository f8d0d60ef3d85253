import {TLOG_NOTE} from './shared.js'

/** `sigil verify`. */
export const verify = {
  summary: 'Verify the signatures of container images against a public key (cosign-compatible).',
  description:
    'Fetches <repo>:sha256-<digest>.sig, checks every signature over its payload with the key and that the payload names the image\'s digest (and the -a annotations). Prints the verified payloads as JSON on stdout.\n\n' +
    'Exit codes: 0 verified, 10 no signatures found, 11 image or tag not found, 12 no matching signature, 2 usage error, 1 anything else.\n\n' +
    TLOG_NOTE,
  examples: [
    '<%= config.bin %> verify --key cosign.pub registry.example.com/team/app:1.0.0 | jq',
    '<%= config.bin %> verify --key cosign.pub -a env=prod --insecure-ignore-tlog registry.example.com/team/app:1.0.0',
  ],
  checkClaims: 'Check that the payload names the image digest and carries the -a annotations.',
  output: 'Output format: json (the payloads as one JSON array, as cosign prints them) or text (each raw payload on a line).',
  ignoreTlog: 'Accepted for cosign compatibility: sigil never consults a transparency log.',
  offline: 'Accepted for cosign compatibility: sigil never goes online except to the registry.',
  digestAlgorithm: 'Hash used to check signatures.',
  maxWorkers: 'How many signature layers to check at once.',
  header: (name: string, annotations: boolean, claims: boolean) =>
    [
      '',
      `Verification for ${name} --`,
      'The following checks were performed on each of these signatures:',
      ...(annotations && claims ? ['  - The specified annotations were verified.'] : []),
      ...(claims ? ['  - The cosign claims were validated'] : []),
      '  - The signatures were verified against the specified public key',
    ].join('\n'),
}
