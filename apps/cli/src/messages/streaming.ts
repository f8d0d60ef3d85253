/** Streamed blob transfers (save, load): progress labels. */
export const streaming = {
  saving: (dir: string) => `Saving blobs to ${dir}`,
  loading: (dir: string) => `Pushing blobs from ${dir}`,
}
