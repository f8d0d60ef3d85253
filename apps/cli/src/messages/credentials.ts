/** Registry credentials: the explicit flags, `sigil login` and `sigil logout`. */
export const credentials = {
  username: 'Registry username for this run (with --registry-password or SIGIL_REGISTRY_PASSWORD); overrides the docker config for every registry contacted.',
  password: 'Registry password for this run. Visible to other users in the process list: prefer SIGIL_REGISTRY_PASSWORD.',
  token: 'Registry bearer token for this run (sent as is); overrides every other credential source.',
  precedence:
    'Registry credentials, first match wins: --registry-token; --registry-username with --registry-password (or SIGIL_REGISTRY_PASSWORD); ' +
    'a registry adapter plugin; the docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json: credHelpers, credsStore, auths — full repository first, then host), ' +
    'else $REGISTRY_AUTH_FILE or containers auth.json; else anonymous. --verbose names the source used for each registry, never the secret.',
  usernameWithoutPassword: '--registry-username needs a password: pass --registry-password or set SIGIL_REGISTRY_PASSWORD',
  passwordWithoutUsername: '--registry-password (or SIGIL_REGISTRY_PASSWORD) needs --registry-username',
  tokenAndUsername: '--registry-token cannot be combined with --registry-username/--registry-password',
  login: {
    summary: 'Log in to a registry: check the credentials against it, then save them in the docker config like docker login.',
    description:
      'The credentials are checked first (GET /v2/ and its Basic or token challenge); wrong ones write nothing. They are then stored like docker login does: ' +
      'through the credential helper when credHelpers or credsStore names one, else as auths in $DOCKER_CONFIG/config.json (or ~/.docker/config.json), ' +
      'written atomically with mode 0600, keeping every other entry. docker.io, index.docker.io and registry-1.docker.io are all stored as https://index.docker.io/v1/.',
    examples: [
      'echo "$TOKEN" | <%= config.bin %> login ghcr.io -u my-user --password-stdin',
      '<%= config.bin %> login registry.example.com:5000 -u ci-bot --password-stdin < password.txt',
      '<%= config.bin %> login registry.example.com   # on a terminal: asks for the user name and (hidden) password',
    ],
    registry: 'Registry host (registry.example.com, 127.0.0.1:5000, docker.io).',
    username: 'Username.',
    password: 'Password (insecure: visible in the process list; prefer --password-stdin).',
    passwordStdin: 'Read the password from standard input (one trailing newline is removed).',
    passwordWarning: 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.',
    needUsername: 'a username is required: sigil login REGISTRY -u USER --password-stdin (or run it on a terminal to be asked)',
    needPassword: 'a password is required: pass --password-stdin (or -p), or run it on a terminal to be asked',
    usernamePrompt: 'Username: ',
    passwordPrompt: 'Password: ',
    bothPasswords: '--password and --password-stdin are mutually exclusive',
    emptyPassword: 'the password read from standard input is empty',
    succeeded: (key: string, where: string) => `Login Succeeded (${key}, stored ${where})`,
  },
  logout: {
    summary: 'Log out of a registry: remove its credentials from the docker config (and its credential helper).',
    examples: ['<%= config.bin %> logout ghcr.io'],
    registry: 'Registry host to forget.',
    removed: (key: string) => `Removing login credentials for ${key}`,
    notLoggedIn: (key: string) => `Not logged in to ${key}`,
  },
}
