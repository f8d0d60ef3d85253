/** sigstore policy-controller `ClusterImagePolicy` text for the admission tests. */

/** A policy named `name` for images matching `glob`, with one key authority (`key`: the YAML under `key:`); `extra` goes under `spec:`. */
export function clusterImagePolicy(name: string, glob: string, key: string, extra = ''): string {
  return `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: ${name}
spec:
${extra}  images:
    - glob: "${glob}"
  authorities:
    - name: key
      key:
${key}
`
}

/** A PEM public key as an authority's `key.data`, indented for {@link clusterImagePolicy}. */
export const keyData = (pem: string): string => `        data: |\n${pem.trim().split('\n').map((l) => `          ${l}`).join('\n')}`
