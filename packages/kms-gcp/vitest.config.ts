import {defineConfig} from 'vitest/config'

// RSA-4096 key generation in the loopback KMS can take a few seconds.
export default defineConfig({
  test: {testTimeout: 60_000, hookTimeout: 60_000},
})
