/** `sigil attach signature`. */
export const attachSignature = {
  summary: 'Attach a signature made elsewhere to an image, exactly as sign stores it (cosign attach signature).',
  description:
    'Appends the payload and its base64 signature as a layer of <repo>:sha256-<digest>.sig (in COSIGN_REPOSITORY when set), keeping every other signature; attaching the same signature again adds nothing. No key is needed and the signature is not verified (as cosign): check it afterwards with `sigil verify`. ' +
    'The payload must be a simple-signing payload naming the image\'s digest (from `sigil generate` or `sign --upload=false --output-payload`), else nothing is pushed.',
  examples: [
    '<%= config.bin %> generate registry.example.com/team/app:1.0.0 > payload.json',
    '# … sign payload.json elsewhere, writing the base64 signature to payload.sig …',
    '<%= config.bin %> attach signature --payload payload.json --signature payload.sig registry.example.com/team/app:1.0.0',
    '<%= config.bin %> attach signature --payload payload.json --signature MEUCIQ… registry.example.com/team/app@sha256:…',
  ],
  payload: 'The signed payload file (a simple-signing payload for this image\'s digest).',
  signature: 'The signature: a file holding its base64, the base64 itself, or - for standard input.',
  stdinTooLarge: (limit: number) => `--signature -: standard input is over ${limit} bytes, not a signature`,
  notBase64: (value: string) => `--signature ${value.length > 40 ? `${value.slice(0, 40)}…` : value}: no such file, and not base64 either`,
}
