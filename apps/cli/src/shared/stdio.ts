/**
 * stdout/stderr writes without Node's stream objects. The first touch of `process.stdout` or
 * `process.stderr` builds a stream (for a pipe, a net.Socket), a measurable part of a short
 * command's start-up (README, Performance). These write to the file descriptor instead,
 * synchronously, which is what those streams do for files, terminals and pipes on Linux. If the
 * descriptor is non-blocking and full (EAGAIN), the rest goes through the stream, which buffers
 * it, and so does every later write to that descriptor, keeping the order. A reader that went
 * away (EPIPE) ends the output quietly instead of with an error.
 */
import {writeSync} from 'node:fs'

const state: Record<1 | 2, 'direct' | 'stream' | 'closed'> = {1: 'direct', 2: 'direct'}

function write(fd: 1 | 2, text: string | Uint8Array): void {
  if (state[fd] === 'closed') return
  const stream = fd === 1 ? (): NodeJS.WriteStream => process.stdout : (): NodeJS.WriteStream => process.stderr
  if (state[fd] === 'stream' || process.platform === 'win32') {
    stream().write(text)
    return
  }
  let rest = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text.buffer, text.byteOffset, text.byteLength)
  try {
    while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EAGAIN') {
      state[fd] = 'stream'
      stream().write(rest)
    } else if (code === 'EPIPE' || code === 'EBADF') {
      state[fd] = 'closed'
    } else {
      throw err
    }
  }
}

/** Write `text` to standard output. */
export function writeStdout(text: string): void {
  write(1, text)
}

/** Write raw bytes to standard output (e.g. `sign-blob --b64=false`). */
export function writeStdoutBytes(bytes: Uint8Array): void {
  write(1, bytes)
}

/** Write `text` to standard error. */
export function writeStderr(text: string): void {
  write(2, text)
}

/** True when output went through a stream (see above) and may still be queued there. */
export function outputPending(): boolean {
  return state[1] === 'stream' || state[2] === 'stream' || process.platform === 'win32'
}
