import {Args, Flags} from '@oclif/core'
import {SigilError} from '@sigil/core'
import {BaseCommand} from '../shared/base-command.js'
import {info, trace} from '../shared/command-io.js'
import {processSources, promptHidden, promptLine, readAllStdin, stdinIsTerminal} from '../shared/password.js'
import {credentials, shared} from '../messages.js'

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

export default class Login extends BaseCommand<LoginResultJson> {
  static override summary = text.summary
  static override description = `${text.description}\n\n${credentials.precedence}`
  static override examples = text.examples
  static override args = {registry: Args.string({description: text.registry, required: true})}
  static override flags = {
    username: Flags.string({char: 'u', description: text.username}),
    password: Flags.string({char: 'p', description: text.password}),
    'password-stdin': Flags.boolean({description: text.passwordStdin, default: false}),
    'allow-insecure-registry': Flags.boolean({description: shared.allowInsecure, default: false}),
    'allow-http-registry': Flags.boolean({description: shared.allowHttp, default: false}),
  }

  public async run(): Promise<LoginResultJson> {
    const {args, flags} = await this.parse(Login)
    const io = this.io()
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
      process.stderr.write(`${text.passwordWarning}\n`)
      password = flags.password
    } else if (interactive) {
      password = await promptHidden(text.passwordPrompt, std)
      if (password === '') throw new SigilError('INVALID_ARGUMENT', text.needPassword)
    } else {
      throw new SigilError('INVALID_ARGUMENT', text.needPassword)
    }
    const {checkRegistryLogin, loginServer, storeLogin} = await import('@sigil/oci')
    const {key, host} = loginServer(args.registry)
    // Nothing is written unless the registry accepts the credentials.
    await checkRegistryLogin(
      host,
      {kind: 'basic', username, password},
      {
        insecure: flags['allow-insecure-registry'] || flags['allow-http-registry'],
        userAgent: `sigil/${io.version}`,
        onRequest: (e) => trace(io, `${e.method} ${e.url} -> ${e.status ?? e.error ?? 'error'} (${Math.round(e.durationMs)} ms)`),
      },
    )
    const stored = await storeLogin(args.registry, {username, password})
    info(io, text.succeeded(stored.key, stored.helper === undefined ? `in ${stored.file}` : `by ${stored.helper}`))
    return {registry: stored.key, configFile: stored.file, ...(stored.helper === undefined ? {} : {helper: stored.helper})}
  }
}
