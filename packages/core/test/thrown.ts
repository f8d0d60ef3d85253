import {SigilError} from '../src/errors.js'

/** The SigilError `fn` throws (anything else is rethrown; no throw fails the test). */
export function thrown(fn: () => unknown): SigilError {
  try {
    fn()
  } catch (err) {
    if (err instanceof SigilError) return err
    throw err
  }
  throw new Error('expected a SigilError')
}
