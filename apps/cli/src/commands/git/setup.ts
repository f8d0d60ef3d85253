import {dirname, join, resolve} from 'node:path'
import {SigilError, formatSshPublicKey} from '@sigil/core'
import {defineCommand} from '../../command.js'
import {writeFileAtomic} from '@sigil/oci'
import {info, keyContext, keyProviderFor} from '../../shared/command-io.js'
import {sigilDir} from '../../shared/dirs.js'
import {timeoutFlagSpec} from '../../shared/flags.js'
import {referenceForSshComment} from '../../shared/ssh-key.js'
import {writeStdout} from '../../shared/stdio.js'
import {gitSetup as text} from '../../messages/git-setup.js'

/** What `git setup --json` prints. */
export interface GitSetupResultJson {
  scope: 'global' | 'local'
  /** The git settings made, in order. */
  config: Record<string, string>
  publicKeyFile?: string
  allowedSigners?: string
}

/** Run git; its trimmed stdout. Bounded: git never waits on anything here. */
async function git(args: readonly string[], cwd: string): Promise<{code: number; stdout: string; stderr: string}> {
  const {execFile} = process.getBuiltinModule('node:child_process')
  return new Promise((done, fail) => {
    execFile('git', args, {cwd, timeout: 20_000, encoding: 'utf8'}, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & {code?: unknown}) | null
      if (e?.code === 'ENOENT') return fail(new SigilError('INVALID_ARGUMENT', text.noGit))
      done({code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: stdout.trim(), stderr: stderr.trim()})
    })
  })
}

/** The sigil-ssh-keygen beside the running sigil (bin/run.js), else the name on PATH. */
function defaultProgram(): string {
  const {existsSync, realpathSync} = process.getBuiltinModule('node:fs')
  try {
    const beside = join(dirname(realpathSync(process.argv[1] ?? '')), 'sigil-ssh-keygen.js')
    if (existsSync(beside)) return beside
  } catch {
    // not started from a file
  }
  return 'sigil-ssh-keygen'
}

/** A file name for a key reference: `awskms:///alias/git-signing` → `awskms-alias-git-signing.pub`. */
function fileNameFor(keyRef: string): string {
  return `${keyRef.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(-80) || 'key'}.pub`
}

export default defineCommand({
  summary: text.summary,
  description: text.description,
  examples: text.examples,
  flags: {
    key: {kind: 'string', char: 'k', description: text.key},
    global: {kind: 'boolean', description: text.global, default: false},
    'verify-only': {kind: 'boolean', description: text.verifyOnly, default: false},
    'allowed-signers': {kind: 'string', description: text.allowedSigners},
    'revocation-file': {kind: 'string', description: text.revocationFile},
    outfile: {kind: 'string', description: text.outfile},
    email: {kind: 'string', description: text.email},
    program: {kind: 'string', description: text.program},
    force: {kind: 'boolean', char: 'f', description: text.force, default: false},
    ...timeoutFlagSpec,
  },
  async run({flags, io}): Promise<GitSetupResultJson> {
    const cwd = process.cwd()
    if (flags['verify-only'] && flags.key) throw new SigilError('INVALID_ARGUMENT', text.keyWithVerifyOnly)
    if (flags['verify-only'] && !flags['allowed-signers']) throw new SigilError('INVALID_ARGUMENT', text.needAllowedSigners)
    if (!flags['verify-only'] && !flags.key) throw new SigilError('INVALID_ARGUMENT', text.needKey)
    const scope = flags.global ? 'global' : 'local'
    if (!flags.global && (await git(['rev-parse', '--git-dir'], cwd)).code !== 0) throw new SigilError('INVALID_ARGUMENT', text.notARepository(cwd))

    const config: Record<string, string> = {'gpg.format': 'ssh'}
    const {readFile} = process.getBuiltinModule('node:fs/promises')
    for (const [flag, setting] of [
      ['allowed-signers', 'gpg.ssh.allowedSignersFile'],
      ['revocation-file', 'gpg.ssh.revocationFile'],
    ] as const) {
      const file = flags[flag]
      if (file === undefined) continue
      const path = resolve(cwd, file)
      await readFile(path).catch((err: NodeJS.ErrnoException) => {
        throw new SigilError('INVALID_ARGUMENT', text.noAllowedSigners(path, err.code === 'ENOENT' ? 'no such file' : err.message))
      })
      config[setting] = path
    }

    let publicKeyFile: string | undefined
    let allowedSigners: string | undefined
    if (flags.key) {
      const comment = referenceForSshComment(flags.key, cwd)
      const email = flags.email ?? (await git(['config', 'user.email'], cwd)).stdout
      if (!email) throw new SigilError('INVALID_ARGUMENT', text.noEmail)
      const provider = await keyProviderFor(io, flags.key)
      const ctx = keyContext(io, {timeout: flags.timeout})
      const key = await provider.publicKey(flags.key, ctx).catch((err: unknown) => {
        throw ctx.explain(err)
      })
      const line = formatSshPublicKey(key, comment)
      publicKeyFile = resolve(cwd, flags.outfile ?? join(sigilDir('config'), 'git', fileNameFor(flags.key)))
      const {mkdir} = process.getBuiltinModule('node:fs/promises')
      await mkdir(dirname(publicKeyFile), {recursive: true})
      const existing = await readFile(publicKeyFile, 'utf8').catch(() => undefined)
      if (existing !== undefined && existing !== line && !flags.force) throw new SigilError('KEY_EXISTS', text.pubExists(publicKeyFile))
      if (existing !== line) await writeFileAtomic(publicKeyFile, line, 0o644)
      allowedSigners = `${email} namespaces="git" ${line.split(' ').slice(0, 2).join(' ')}`
      Object.assign(config, {
        'gpg.ssh.program': flags.program ?? defaultProgram(),
        'user.signingKey': publicKeyFile,
        'commit.gpgSign': 'true',
        'tag.gpgSign': 'true',
      })
    }

    for (const [name, value] of Object.entries(config)) {
      const r = await git(['config', `--${scope}`, name, value], cwd)
      if (r.code !== 0) throw new SigilError('INVALID_ARGUMENT', text.gitFailed(`config --${scope} ${name}`, r.stderr || `exit ${r.code}`))
    }
    if (publicKeyFile) info(io, text.wrotePublicKey(publicKeyFile))
    if (allowedSigners !== undefined) {
      info(io, text.configured(scope))
      if (!io.json) writeStdout(`${allowedSigners}\n`)
    } else {
      info(io, text.configuredVerify(scope, config['gpg.ssh.allowedSignersFile']!))
    }
    return {scope, config, ...(publicKeyFile ? {publicKeyFile} : {}), ...(allowedSigners ? {allowedSigners} : {})}
  },
})
