/** sigil-ssh-keygen with a KMS key cached between commits (alias or key name). */
export const gitKeyCache = {
  keyMoved: (ref: string, file: string) =>
    `the key behind ${ref} is no longer the key in ${file}; run sigil git setup --key ${ref} --force again`,
}
