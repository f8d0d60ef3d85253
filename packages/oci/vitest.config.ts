import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'

export default defineConfig({
  // test/registry.test.ts uses @sigil/test-servers, which depends on this package: resolve it from
  // source instead of declaring a (cyclic) workspace devDependency.
  resolve: {alias: {'@sigil/test-servers': fileURLToPath(new URL('../test-servers/src/index.ts', import.meta.url))}},
  test: {testTimeout: 30_000, hookTimeout: 30_000},
})
