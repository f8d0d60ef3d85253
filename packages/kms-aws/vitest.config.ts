import {AWS_OFFLINE_ENV} from '@sigil/test-servers'
import {defineConfig} from 'vitest/config'

// Every test talks to a loopback KMS; the shared offline environment makes sure nothing else
// is reachable (static throw-away credentials, no profiles, no instance metadata, dead default
// endpoint).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {...AWS_OFFLINE_ENV, AWS_ENDPOINT_URL_KMS: ''},
  },
})
