/** `sigil clean`. */
export const clean = {
  summary: 'Remove the signatures, attestations and SBOMs attached to an image (cosign clean).',
  description:
    'Deletes the image\'s legacy tags (<repo>:sha256-<digest>.sig/.att/.sbom, by digest as cosign does) and cosign 3\'s bundle referrers (each referrer manifest, and its entry in the sha256-<digest> index tag). ' +
    'Asks first on a terminal; without one it refuses unless -f is given. The registry must allow deletes (distribution: storage.delete.enabled).',
  examples: ['<%= config.bin %> clean registry.example.com/team/app:1.0.0', '<%= config.bin %> clean --type signature -f registry.example.com/team/app@sha256:…'],
  type: 'What to remove.',
  force: 'Do not ask for confirmation.',
  warning: (type: string) =>
    `WARNING: this will remove all ${type === 'signature' ? 'signatures' : type === 'attestation' ? 'attestations' : type === 'sbom' ? 'SBOMs' : 'signatures, SBOMs and attestations'} from the image`,
  question: 'Are you sure you would like to continue?',
  noTerminal: 'clean removes attachments for good: confirm on a terminal, or pass -f/--force',
  declined: 'Cancelled; nothing was removed.',
  removed: (location: string, image: string) => `Removed ${location} from ${image}`,
  nothing: (image: string) => `Nothing to remove from ${image}`,
}
