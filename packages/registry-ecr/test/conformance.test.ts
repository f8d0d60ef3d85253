/**
 * @sigil/testkit's registry-adapter conformance suite, live: the adapter's credentials come
 * from the real `@aws-sdk/client-ecr` and a loopback ECR API; the backing registry is a real
 * htpasswd distribution registry, checked by an independent inspector client.
 */
import {RegistryClient} from '@sigil/oci'
import {requireRegistry, startEcrServer, startRegistry} from '@sigil/test-servers'
import {registryAdapterSuite} from '@sigil/testkit'
import {describe, test} from 'vitest'
import {ecrAdapter} from '../src/index.js'

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const PASSWORD = `ecr-kit-${Math.random().toString(36).slice(2)}`
let ecrEndpoint = 'http://127.0.0.1:9'

describe.skipIf(!requireRegistry())('registryAdapterSuite(ecrAdapter)', () => {
  registryAdapterSuite(test, () => ecrAdapter({endpoint: ecrEndpoint}), {
    matching: [HOST, '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'public.ecr.aws'],
    notMatching: ['ghcr.io', 'index.docker.io', '127.0.0.1:5000', 'api.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example'],
    capabilities: {referrersApi: false, mutableTags: false, ociManifests: true},
    live: async () => {
      const registry = await startRegistry({htpasswd: {username: 'AWS', password: PASSWORD}})
      const ecr = await startEcrServer({region: 'eu-west-1', password: PASSWORD, registryHost: HOST})
      ecrEndpoint = ecr.endpoint
      return {
        host: HOST,
        repository: 'kit/ecr',
        client: (adapter, onRequest) =>
          new RegistryClient({
            credentials: async (host, repository) => adapter.credentials?.(host, repository),
            endpoint: (host) => (host === HOST ? registry.url : undefined),
            onRequest,
          }),
        inspector: new RegistryClient({credentials: async () => ({kind: 'basic', username: 'AWS', password: PASSWORD})}),
        inspectorHost: registry.host,
        allowedOrigins: [registry.url],
        stop: async () => {
          await ecr.close()
          await registry.stop()
        },
      }
    },
  })
})
