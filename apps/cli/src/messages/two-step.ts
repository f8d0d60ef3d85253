/** Two-step signing and the commands around attachments: sign --output-*, generate, attach, download, clean. */
export const twoStep = {
  outputSignature: 'Also write the base64 signature to this file (as cosign; with --recursive one file per digest, suffixed -sha256-<hex>). With --upload=false nothing is printed.',
  outputPayload: 'Also write the signed payload to this file (as cosign; with --recursive one file per digest, suffixed -sha256-<hex>). With --upload=false nothing is printed.',
  force: 'Overwrite existing --output-signature / --output-payload files.',
  outputsOneImage: '--output-signature / --output-payload take one image (or --recursive, which writes one file per digest)',
  outputsNoBundle: '--output-signature / --output-payload write the legacy format\'s payload and signature; they do not apply with --new-bundle-format',
  fileExists: (path: string) => `${path} already exists; pass --force to overwrite it`,
  cannotWrite: (path: string, reason: string) => `cannot write ${path}: ${reason}`,
  cannotRead: (what: string, path: string, reason: string) => `cannot read the ${what} file ${path}: ${reason}`,
  tooLarge: (what: string, path: string, limit: number) => `the ${what} file ${path} is over the ${limit}-byte limit`,
}
