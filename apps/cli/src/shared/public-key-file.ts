import {SigilError} from '@sigil/core'

/** Write a public key PEM (0644), refusing to replace an existing file unless `force`. */
export async function writePublicKey(path: string, pem: string, force: boolean): Promise<void> {
  try {
    // node:fs/promises is loaded only by the commands that write a key.
    const {writeFile} = process.getBuiltinModule('node:fs/promises')
    await writeFile(path, pem, {mode: 0o644, flag: force ? 'w' : 'wx'})
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SigilError('KEY_EXISTS', `${path} already exists; use --force to overwrite it`)
    }
    throw new SigilError('KEY_WRITE_FAILED', `cannot write ${path}: ${(err as Error).message}`, {cause: err})
  }
}
