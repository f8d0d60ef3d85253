import {readFileSync} from 'node:fs'
import {SigilError} from '@sigil/core'

/** Where a password comes from, in cosign's order (spec §4.1). */
export interface PasswordSources {
  readonly env: NodeJS.ProcessEnv
  readonly stdin: NodeJS.ReadStream
  readonly stderr: NodeJS.WriteStream
}

/**
 * This process's sources. Getters: `process.stdin` sets up a stream on first access (a cost, and
 * it makes a stdin pipe non-blocking), which most commands never need.
 */
export function processSources(): PasswordSources {
  return {
    env: process.env,
    get stdin() {
      return process.stdin
    },
    get stderr() {
      return process.stderr
    },
  }
}

const PROMPT = 'Enter password for private key: '
const PROMPT_AGAIN = 'Enter password for private key again: '

/** Read one line from the terminal without echoing it. */
export async function promptHidden(question: string, io: PasswordSources): Promise<string> {
  const {stdin, stderr} = io
  // Echo off before the prompt shows: input typed (or pasted) right after it is never echoed.
  stdin.setRawMode?.(true)
  stderr.write(question)
  stdin.resume()
  return new Promise<string>((resolve, reject) => {
    let value = ''
    const done = (err?: Error) => {
      stdin.off('data', onData)
      stdin.setRawMode?.(false)
      stdin.pause()
      stderr.write('\n')
      if (err) reject(err)
      else resolve(value)
    }
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done()
        if (ch === '\u0003') return done(new SigilError('PASSWORD_REQUIRED', 'interrupted'))
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    }
    stdin.on('data', onData)
  })
}

let stdinRead: Promise<Uint8Array> | undefined

/**
 * True when standard input is a terminal. Asked of the descriptor, not of `process.stdin`: that
 * object, once created, puts a pipe into non-blocking mode, and a synchronous read of it then
 * fails with EAGAIN whenever the writer has not written yet.
 */
export function stdinIsTerminal(): boolean {
  // node:tty loaded here, not at the top: verify never asks.
  return process.getBuiltinModule('node:tty').isatty(0)
}

/**
 * All of standard input: synchronously, or, when it is non-blocking and not ready, through the
 * stream. Empty when it is closed or unreadable.
 */
export async function readAllStdin(io: PasswordSources): Promise<Uint8Array> {
  try {
    return readFileSync(0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return new Uint8Array()
  }
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string))
  return Buffer.concat(chunks)
}

/** Where a password came from: `none` is an empty standard input that is not a terminal. */
export type PasswordSource = 'env' | 'terminal' | 'stdin' | 'none'

/** What to say when no password source was given (refusing, or explaining a failed decryption). */
export const NO_PASSWORD_GIVEN =
  'no password given: set COSIGN_PASSWORD (or SIGIL_PASSWORD; an empty value means an empty password), pipe the password on standard input, or run on a terminal to be asked'

/**
 * The password for a private key, and where it came from. `SIGIL_PASSWORD`, then
 * `COSIGN_PASSWORD`, used verbatim when set (even empty); else a hidden prompt on a terminal
 * (twice when creating a key); else all of standard input, trailing newline included, exactly as
 * cosign reads it. Creating a key (`confirm`) with no
 * source at all (no variable, no terminal, nothing on standard input) is refused: a key with an
 * empty password is written only when asked for exactly that (`COSIGN_PASSWORD=`).
 */
export async function readPasswordFrom(confirm: boolean, io: PasswordSources): Promise<{password: Uint8Array; source: PasswordSource}> {
  const fromEnv = io.env.SIGIL_PASSWORD ?? io.env.COSIGN_PASSWORD
  if (fromEnv !== undefined) return {password: Buffer.from(fromEnv, 'utf8'), source: 'env'}
  if (stdinIsTerminal()) {
    const first = await promptHidden(PROMPT, io)
    if (confirm) {
      const second = await promptHidden(PROMPT_AGAIN, io)
      if (first !== second) throw new SigilError('PASSWORD_MISMATCH', 'passwords do not match')
    }
    return {password: Buffer.from(first, 'utf8'), source: 'terminal'}
  }
  // Not a terminal: the whole of stdin is the password (read once, reused for every key).
  stdinRead ??= readAllStdin(io)
  const password = await stdinRead
  if (password.length > 0) return {password, source: 'stdin'}
  if (confirm) throw new SigilError('PASSWORD_REQUIRED', NO_PASSWORD_GIVEN)
  return {password, source: 'none'}
}

/** Ask for one line on the terminal, echoed (a user name); the answer without its line end. */
export async function promptLine(question: string, io: PasswordSources): Promise<string> {
  const {createInterface} = process.getBuiltinModule('node:readline/promises')
  const rl = createInterface({input: io.stdin, output: io.stderr})
  try {
    return await rl.question(question)
  } finally {
    rl.close()
  }
}

/** Ask yes/no on a terminal; false when there is none. */
export async function askYesNo(question: string, io: PasswordSources): Promise<boolean> {
  if (!stdinIsTerminal()) return false
  const {createInterface} = process.getBuiltinModule('node:readline/promises')
  const rl = createInterface({input: io.stdin, output: io.stderr})
  try {
    const answer = await rl.question(`${question} [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}
