import {SigilError} from '@sigil/core'
import {checkRegistryLogin, loginServer, storeLogin} from '@sigil/oci'
import {defineCommand} from '../command.js'
import {info, traceRequest} from '../shared/command-io.js'
import {processSources, promptHidden, promptLine, readAllStdin, stdinIsTerminal} from '../shared/password.js'
import {writeStderr} from '../shared/stdio.js'
import {credentials} from '../messages/credentials.js'
import {shared} from '../messages/shared.js'

const text = credentials.login

/** What `login --json` prints. */
export interface LoginResultJson {
  /** The config key written (`127.0.0.1:5000`, `https://index.docker.io/v1/`). */
  registry: string
  /** The docker config file updated. */
  configFile: string
  /** The credential helper holding the secret, when one is configured. */
  helper?: string
}

export default defineCommand({
  summary: text.summary,
  description: `${text.description}\n\n${credentials.precedence}`,
  examples: text.examples,
  args: [{name: 'registry', description: text.registry, required: true}],
  flags: {
    username: {kind: 'string', char: 'u', description: text.username},
    password: {kind: 'string', char: 'p', description: text.password},
    'password-stdin': {kind: 'boolean', description: text.passwordStdin, default: false},
    'allow-insecure-registry': {kind: 'boolean', description: shared.allowInsecure, default: false},
    'allow-http-registry': {kind: 'boolean', description: shared.allowHttp, default: false},
  },
  async run({flags, args, io}): Promise<LoginResultJson> {
    const registry = args[0]!
    // On a terminal, like docker login: ask for what the flags leave out (the password hidden).
    const std = processSources()
    const interactive = !flags['password-stdin'] && stdinIsTerminal()
    let username = flags.username
    if ((username === undefined || username === '') && interactive) username = (await promptLine(text.usernamePrompt, std)).trim()
    if (username === undefined || username === '') throw new SigilError('INVALID_ARGUMENT', text.needUsername)
    let password: string
    if (flags['password-stdin']) {
      if (flags.password !== undefined) throw new SigilError('INVALID_ARGUMENT', text.bothPasswords)
      // Like docker: one trailing newline (and CR) is not part of the password.
      password = Buffer.from(await readAllStdin(std)).toString('utf8').replace(/\n$/, '').replace(/\r$/, '')
      if (password === '') throw new SigilError('INVALID_ARGUMENT', text.emptyPassword)
    } else if (flags.password !== undefined) {
      writeStderr(`${text.passwordWarning}\n`)
      password = flags.password
    } else if (interactive) {
      password = await promptHidden(text.passwordPrompt, std)
      if (password === '') throw new SigilError('INVALID_ARGUMENT', text.needPassword)
    } else {
      throw new SigilError('INVALID_ARGUMENT', text.needPassword)
    }
    const {host} = loginServer(registry)
    // Nothing is written unless the registry accepts the credentials.
    await checkRegistryLogin(
      host,
      {kind: 'basic', username, password},
      {
        insecure: flags['allow-insecure-registry'] || flags['allow-http-registry'],
        userAgent: `sigil/${io.version}`,
        onRequest: traceRequest(io),
      },
    )
    const stored = await storeLogin(registry, {username, password})
    info(io, text.succeeded(stored.key, stored.helper === undefined ? `in ${stored.file}` : `by ${stored.helper}`))
    return {registry: stored.key, configFile: stored.file, ...(stored.helper === undefined ? {} : {helper: stored.helper})}
  },
})
