// dist/core.bundle.js: the package entry as one ES module (what `import '@sigil/core'` loads), so
// a plugin or library importing core makes Node load one file instead of one per source module.
// tsc's per-module files stay beside it for the type declarations.
import {rolldown} from 'rolldown'

const dist = new URL('../dist/', import.meta.url).pathname
const bundle = await rolldown({input: `${dist}index.js`, platform: 'node', external: [/^node:/], logLevel: 'warn'})
await bundle.write({file: `${dist}core.bundle.js`, format: 'esm', codeSplitting: false})
await bundle.close()
