// Bundles the lean start-up path (dist/lean.js and everything it imports, node builtins
// excepted) into one file: resolving and compiling ~60 small modules costs ~20 ms of every
// `sigil sign` / `sigil verify`; one bundle loads in ~12 ms.
import {rolldown} from 'rolldown'

const bundle = await rolldown({
  input: new URL('../dist/lean.js', import.meta.url).pathname,
  platform: 'node',
  external: [/^node:/],
  logLevel: 'warn',
})
await bundle.write({file: new URL('../dist/lean.bundle.js', import.meta.url).pathname, format: 'esm', codeSplitting: false})
await bundle.close()
