import type {SigilPlugin} from '@sigil/core'
import {ecrAdapter} from './adapter.js'

/**
 * The `sigil:plugin` hook of `@sigil/registry-ecr`. Loading it does not load the AWS SDK: the
 * adapter imports `@aws-sdk/client-ecr` on the first ECR login.
 */
export default async function sigilPlugin(): Promise<SigilPlugin> {
  return {name: '@sigil/registry-ecr', registryAdapters: [ecrAdapter()]}
}
