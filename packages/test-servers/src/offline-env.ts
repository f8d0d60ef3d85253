/**
 * Environments that keep cloud SDK clients on loopback in tests: static throw-away credentials,
 * no profile files, no instance metadata, and a default endpoint on a dead loopback port for any
 * client a test forgets to point at its loopback server.
 */
export const AWS_OFFLINE_ENV: Readonly<Record<string, string>> = Object.freeze({
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'AKIDSIGILTEST0000000',
  AWS_SECRET_ACCESS_KEY: 'sigil-test-secret-not-real',
  AWS_SESSION_TOKEN: '',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: '',
  AWS_PROFILE: '',
  AWS_CONFIG_FILE: '/nonexistent/sigil-test/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/sigil-test/aws-credentials',
  AWS_WEB_IDENTITY_TOKEN_FILE: '',
  AWS_ROLE_ARN: '',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
})

/**
 * The Google Cloud side: no metadata server probe (google-auth-library would otherwise look for
 * one), no credentials file, proxies on a dead loopback port. `undefined` removes a variable
 * (`runProgram`/`sigil` semantics). Add `CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS`, `HOME` and
 * `CLOUDSDK_CONFIG` per test.
 */
export const GCP_OFFLINE_ENV: Readonly<Record<string, string | undefined>> = Object.freeze({
  METADATA_SERVER_DETECTION: 'none',
  GCE_METADATA_HOST: '127.0.0.1:9',
  GCE_METADATA_IP: '127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: undefined,
  GOOGLE_APPLICATION_CREDENTIALS: undefined,
})
