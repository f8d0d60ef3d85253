/** `sigil manifest verify`. */
export const manifest = {
  verify: {
    summary: 'Verify the signatures of every container image in a Kubernetes manifest (cosign manifest verify).',
    description:
      'Reads a YAML (or JSON) file of Kubernetes objects, every document of it, or standard input (-), and finds each image where cosign finds them: the pod spec of a Pod (spec), of a pod template (spec.template.spec: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, and custom kinds shaped like them) and of a CronJob (spec.jobTemplate.spec.template.spec), in initContainers, containers and ephemeralContainers. Each image is then verified as `sigil verify` does (cosign 3 bundles and legacy .sig tags), with the same flags and output, after one "Extracted image(s): …" line on stderr.\n\n' +
      'Exit codes are those of `sigil verify`: 0 every image verified, 10 no signatures found, 11 image or tag not found, 12 no matching signature, 2 usage error (no images in the manifest, a manifest that does not parse, a malformed image reference), 1 anything else — a registry that is down or does not answer within --timeout is 1, never "no signatures". With several images the exit code is the first failing image\'s.\n\n' +
      'Where sigil differs from cosign: every image is checked and each failure is named on stderr (cosign stops at the first); an image listed several times is verified once; ephemeralContainers are read; a `kind: List` (kubectl get -o yaml) is read item by item; any file name and standard input are accepted (cosign wants .yaml or .yml); a container with no image is an error (cosign skips it); a manifest with no images, or that does not parse, is a usage error (exit 2; cosign: exit 1), and a YAML error names its line.',
    examples: [
      '<%= config.bin %> manifest verify --key cosign.pub deploy/app.yaml',
      'kustomize build overlays/prod | <%= config.bin %> manifest verify --key cosign.pub -',
      '<%= config.bin %> manifest verify --key cosign.pub --json k8s.yaml | jq \'.images[] | select(.verified | not)\'',
    ],
    file: 'The manifest: a YAML or JSON file of Kubernetes objects (several documents separated by ---), or - for standard input.',
    extracted: (images: readonly string[]) => `Extracted image(s): ${images.join(', ')}`,
    noImages: (file: string) => `no images found in manifest ${file}: it has no Pod, pod template or CronJob job template with containers`,
    invalid: (file: string, detail: string) => `cannot read manifest ${file}: ${detail}`,
    badImage: (file: string, line: number, where: string, detail: string) => `${file}:${line}: ${where}: ${detail}`,
    tooBig: (file: string, max: number) => `manifest ${file} is over the ${max}-byte limit`,
  },
}
