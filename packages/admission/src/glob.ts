/**
 * Image globs as sigstore's policy-controller reads `spec.images[].glob`: `*` is any run of
 * characters but `/`, `**` any run at all, the glob matches the whole name; `*` alone means
 * `index.docker.io/library/*` and `*\/*` means `index.docker.io/*\/*`. A glob is matched against
 * the reference's full name (go-containerregistry `Name()`: `index.docker.io/library/busybox:latest`),
 * then against the image string as written when that differs.
 */
import {parseReference} from '@sigil/core'

const VALID_GLOB = /^[a-zA-Z0-9\-_:/*.]+$/

/** The regular expression of `glob`; throws with the reason when policy-controller would refuse it. */
export function compileGlob(glob: string): RegExp {
  let g = glob
  if (g === '*/*') g = 'index.docker.io/*/*'
  if (g === '*') g = 'index.docker.io/library/*'
  if (!VALID_GLOB.test(g)) throw new Error(`invalid glob ${JSON.stringify(glob)}: only letters, digits and - _ : / * . are allowed`)
  const source = g.replaceAll('.', '\\.').replaceAll('**', '#').replaceAll('*', '[^/]*').replaceAll('#', '.*')
  return new RegExp(`^${source}$`)
}

/**
 * True when `image` (as written in a pod spec) matches the compiled glob; `name` is the reference's
 * full name, parsed here when not given (throws on an invalid reference).
 */
export function globMatches(glob: RegExp, image: string, name: string = parseReference(image).name): boolean {
  return glob.test(name) || (name !== image && glob.test(image))
}
