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
