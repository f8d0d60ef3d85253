import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'

export default defineConfig({
  // The end-to-end tests sign with @sigil/signing, resolved from source (not a declared dependency).
  resolve: {alias: {'@sigil/signing': fileURLToPath(new URL('../signing/src/index.ts', import.meta.url))}},
  test: {testTimeout: 60_000, hookTimeout: 60_000},
})
