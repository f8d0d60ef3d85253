/** Manifest media types the client asks for. */
import {DOCKER_LIST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE} from '@sigil/core'

/** Default `Accept` for manifest reads: images and indexes, OCI and Docker (cosign-compat §8.3). */
export const DEFAULT_MANIFEST_ACCEPT: readonly string[] = Object.freeze([
  OCI_MANIFEST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  DOCKER_LIST_MEDIA_TYPE,
])
