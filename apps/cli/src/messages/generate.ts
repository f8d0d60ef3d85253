/** `sigil generate`. */
export const generate = {
  summary: 'Print the simple-signing payload of an image, to be signed elsewhere (cosign generate).',
  description:
    'Resolves the image to its digest and prints the exact bytes `sigil sign` (and cosign) would sign for it, without a trailing newline. ' +
    'Sign them on another machine (an HSM, an offline key), then push the signature with `sigil attach signature`.',
  examples: [
    '<%= config.bin %> generate registry.example.com/team/app:1.0.0 > payload.json',
    '<%= config.bin %> generate -a git=abc123 registry.example.com/team/app@sha256:… > payload.json',
  ],
}
