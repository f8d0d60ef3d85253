/** oclif's `explicit` command strategy target: every sigil command as an oclif class. */
import type {Command} from '@oclif/core'
import {COMMANDS} from '../command-table.generated.js'
import {toOclifCommand} from './command-class.js'

export const OCLIF_COMMANDS: Record<string, Command.Class> = Object.fromEntries(
  await Promise.all(Object.entries(COMMANDS).map(async ([id, load]) => [id, toOclifCommand(id, (await load()).default)] as const)),
)
