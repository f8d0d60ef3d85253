import type {SigilPlugin} from '@sigil/core'
import {awsKmsProvider} from './provider.js'

/**
 * The `sigil:plugin` hook of `@sigil/kms-aws`. Loading it does not load the AWS SDK: the
 * provider imports `@aws-sdk/client-kms` on first use.
 */
export default async function sigilPlugin(): Promise<SigilPlugin> {
  return {name: '@sigil/kms-aws', keyProviders: [awsKmsProvider()]}
}
