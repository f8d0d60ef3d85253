import {AWS_OFFLINE_ENV} from '@sigil/test-servers'
import {defineConfig} from 'vitest/config'

// Every test talks to a loopback ECR API and registry; the shared offline environment makes sure
// nothing else is reachable, and anything that would leave through a proxy dies on a dead port.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      ...AWS_OFFLINE_ENV,
      AWS_ENDPOINT_URL_ECR: '',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
    },
  },
})
