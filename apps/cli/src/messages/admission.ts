/** `sigil admission serve`, `sigil admission check` and `sigil admission certs`. */
export const admission = {
  serve: {
    summary: 'Run the Kubernetes admission webhook: admit only images whose signatures verify under ClusterImagePolicy files.',
    description:
      'An HTTPS server (TLS 1.2+) for the API server: POST /validate and POST /mutate take admission.k8s.io/v1 AdmissionReviews for Pods and the pod templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs (containers, initContainers, ephemeralContainers); /mutate also pins each admitted image to the digest that was verified. GET /healthz, /readyz and /metrics (Prometheus) are served on the same port.\n\n' +
      'Policies are sigstore policy-controller ClusterImagePolicy YAML (policy.sigstore.dev/v1beta1) from files or directories (a mounted ConfigMap): every policy whose glob matches an image must be satisfied; within one, any authority (key.data PEM, key.kms any sigil key reference) suffices. Both signature formats verify: cosign 3 bundles (OCI 1.1 referrers) and the legacy .sig tag. Policies and the TLS files are re-read when they change; a file that does not load is reported with its path and line and the previous version stays in force.\n\n' +
      'Every answer comes within --deadline: a registry that does not answer in time denies the image (or admits it with a warning, --failure-policy warn). Registry credentials come from the docker config (DOCKER_CONFIG) and the registry plugins, as for every sigil command.',
    examples: [
      '<%= config.bin %> admission serve --policy /etc/sigil/policies --tls-cert-file /etc/sigil/tls/tls.crt --tls-private-key-file /etc/sigil/tls/tls.key',
      '<%= config.bin %> admission serve --policy policy.yaml --tls-cert-file tls.crt --tls-private-key-file tls.key --listen 127.0.0.1:8443 --no-match-policy warn',
    ],
    policy: 'A ClusterImagePolicy YAML file, or a directory of them (its visible .yaml, .yml and .json files); repeatable.',
    cert: 'PEM certificate (chain) the server presents; re-read when it changes.',
    key: 'PEM private key of the certificate; re-read when it changes.',
    listen: 'Address and port to listen on (host:port; [::]:8443 for IPv6).',
    noMatch: 'What happens to an image no policy matches: deny, warn (admit with a warning) or allow. No registry is contacted for it.',
    failurePolicy: 'What happens when a registry cannot be asked in time (down, hanging, erroring) or a KMS key cannot be loaded: deny, or warn (admit with a warning).',
    deadline: 'Longest time one AdmissionReview may take (Go duration); keep it below the webhook timeoutSeconds (default 10s).',
    cacheTtl: 'How long a verified (image digest, policies) result is reused.',
    failureCacheTtl: 'How long a denial (no signature, no matching signature) is reused; registry faults are never cached.',
    resolveTtl: 'How long a tag → digest resolution is reused.',
    maxBody: 'Largest request body, in bytes; larger ones are answered 413.',
    reloadInterval: 'How often the policy and TLS files are checked for changes (Go duration).',
    missing: (flag: string, path: string) => `${flag} ${path}: no such file or directory`,
    badListen: (value: string) => `--listen ${JSON.stringify(value)} is not host:port (e.g. 0.0.0.0:8443)`,
    listening: (url: string, policies: number) => `sigil admission: listening on ${url} with ${policies} ClusterImagePolic${policies === 1 ? 'y' : 'ies'}`,
    stopping: 'sigil admission: stopping (answering requests in flight)',
  },
  check: {
    summary: "Decide images or Kubernetes manifests as the admission webhook would, without a cluster: admitted, warned or denied, and why.",
    description:
      'Loads ClusterImagePolicy files as `admission serve` does (a file that does not load is reported with its path and line) and decides with the same code the webhook answers /validate and /mutate with: every policy whose glob matches an image must be satisfied, tags are resolved to digests, signatures and attestations are verified in both formats (cosign 3 bundles and the legacy .sig/.att tags), registry credentials come from the docker config and the registry plugins.\n\n' +
      'What is decided: the images given with --image, and the objects in FILE (or standard input, -): Pods and the pod templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs, Lists of them (kubectl get -o yaml) and AdmissionReview JSON; other kinds are admitted, as the webhook admits them. For each image it prints the decision, the policies that matched, why it would be denied or warned (no signature, no matching signature, no attestation, registry unreachable…) and the reference /mutate would pin it to.\n\n' +
      'Exit status: 0 when everything would be admitted (a warning still admits), 3 when something would be denied, 4 when the only denials are the failure policy\'s answer to a registry or KMS that could not be asked (retry later, or see --failure-policy), 2 for usage errors, 1 for a policy or manifest that does not load.',
    examples: [
      '<%= config.bin %> admission check --policy policies/ --image registry.example.com/team/app:v1.2',
      '<%= config.bin %> admission check --policy policies/ deploy.yaml',
      'kubectl get deployments -n team -o yaml | <%= config.bin %> admission check --policy policies/ --no-match-policy warn -',
      '<%= config.bin %> admission check --policy cip.yaml -o json review.json',
    ],
    file: 'Kubernetes YAML or AdmissionReview JSON to decide (- for standard input); repeatable.',
    image: 'An image reference to decide, as a container of a Pod would name it; repeatable.',
    output: 'Output format: text (one line per image) or json.',
    deadline: 'Longest time one object may take to decide, as the webhook\'s --deadline (Go duration); past it the registry counts as unreachable.',
    nothing: 'nothing to check: give --image IMAGE or a manifest FILE (- for standard input)',
    missing: (what: string) => `${what}: no such file or directory`,
    loaded: (count: number, names: readonly string[]) => `sigil admission check: ${count} ClusterImagePolic${count === 1 ? 'y' : 'ies'}${count === 0 ? '' : ` (${names.join(', ')})`}`,
    summaryLine: (images: number, admitted: number, warned: number, denied: number) =>
      `${images} image${images === 1 ? '' : 's'}: ${admitted} admitted${warned > 0 ? ` (${warned} with a warning)` : ''}, ${denied} denied`,
  },
  certs: {
    summary: 'Make a CA and a serving certificate for the admission webhook, and print the caBundle.',
    description:
      'Writes ca.crt, tls.crt and tls.key (ECDSA P-256) for the Service names the API server uses (NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local, plus any --host) into --output-dir, each file whole or not at all, and prints the CA certificate as base64 for the webhook configurations\' caBundle. The CA key is not kept: make new certificates to rotate. Existing files are kept unless --force is given.',
    examples: [
      '<%= config.bin %> admission certs --service sigil-admission --namespace sigil-system --output-dir tls',
      'kubectl -n sigil-system create secret tls sigil-admission-tls --cert tls/tls.crt --key tls/tls.key',
    ],
    service: 'Name of the webhook\'s Service.',
    namespace: 'Namespace of the Service.',
    outputDir: 'Directory to write ca.crt, tls.crt and tls.key into (created if missing).',
    host: 'Another DNS name or IPv4 address for the certificate; repeatable.',
    days: 'Days the certificates are valid.',
    force: 'Replace existing files.',
    exists: (path: string) => `${path} exists; pass --force to replace it`,
    wrote: (dir: string) => `Wrote ca.crt, tls.crt and tls.key to ${dir}. caBundle (base64 of ca.crt):`,
  },
}
