import {defineConfig} from 'vitest/config'

// Building the image takes a minute or two (more on a cold npm cache); a wait is still bounded.
export default defineConfig({
  test: {include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 900_000},
})
