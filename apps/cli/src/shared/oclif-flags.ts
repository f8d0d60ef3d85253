import {Flags} from '@oclif/core'
import type {Interfaces} from '@oclif/core'
import type {FlagSpecs} from './flag-spec.js'

/** oclif flag definitions for `specs` (the same data the lean path parses). */
// Values are typed by the actions' own flag interfaces; oclif only needs the definitions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toOclifFlags(specs: FlagSpecs): Interfaces.FlagInput<Record<string, any>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out: Record<string, Interfaces.Flag<any>> = {}
  for (const [name, s] of Object.entries(specs)) {
    const common = {
      description: s.description,
      ...(s.char ? {char: s.char as 'a'} : {}),
      ...(s.required ? {required: true} : {}),
      ...(s.helpGroup ? {helpGroup: s.helpGroup} : {}),
    }
    if (s.kind === 'boolean') {
      out[name] = Flags.boolean({...common, allowNo: Boolean(s.allowNo), default: (s.default as boolean | undefined) ?? false})
    } else if (s.kind === 'integer') {
      out[name] = Flags.integer({...common, ...(s.min === undefined ? {} : {min: s.min}), ...(s.default === undefined ? {} : {default: s.default as number})})
    } else if (s.multiple) {
      out[name] = Flags.string({...common, multiple: true, multipleNonGreedy: true, default: [...((s.default as readonly string[] | undefined) ?? [])]})
    } else {
      out[name] = Flags.string({
        ...common,
        ...(s.options ? {options: [...s.options]} : {}),
        ...(s.default === undefined ? {} : {default: s.default as string}),
      })
    }
  }
  return out
}
