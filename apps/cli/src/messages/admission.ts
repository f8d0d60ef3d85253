/** `sigil admission serve` and `sigil admission certs`. */
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
