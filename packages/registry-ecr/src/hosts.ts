/**
 * Amazon ECR registry host names: private registries
 * (`<account>.dkr.ecr.<region>.amazonaws.com`, FIPS `<account>.dkr.ecr-fips.<region>.amazonaws.com`,
 * China `<account>.dkr.ecr.<region>.amazonaws.com.cn`, and the dual-stack IPv4/IPv6 names
 * `<account>.dkr-ecr.<region>.on.aws`, FIPS `<account>.dkr-ecr-fips.<region>.on.aws`) and ECR
 * Public (`public.ecr.aws`).
 */

/** What an ECR host name says. */
export type EcrHost =
  | {
      readonly kind: 'private'
      /** The registry host, lower-cased (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`). */
      readonly host: string
      /** The 12-digit AWS account id (the registry id). */
      readonly accountId: string
      /** The region the registry lives in (`eu-west-1`, `cn-north-1`, `us-gov-west-1`). */
      readonly region: string
      /** The AWS partition: `aws`, `aws-cn` or `aws-us-gov`. */
      readonly partition: 'aws' | 'aws-cn' | 'aws-us-gov'
      /** A FIPS endpoint (`dkr.ecr-fips`): the API call must use the FIPS endpoint too. */
      readonly fips: boolean
      /** A dual-stack name (`dkr-ecr…on.aws`): the same registry, reachable over IPv6 too. */
      readonly dualStack: boolean
    }
  | {readonly kind: 'public'; readonly host: 'public.ecr.aws'}

/** The ECR Public registry host. */
export const ECR_PUBLIC_HOST = 'public.ecr.aws'

/** Host patterns the ECR adapter serves (for listings and conflict detection). */
export const ECR_HOST_PATTERNS: readonly string[] = [
  '*.dkr.ecr.*.amazonaws.com',
  '*.dkr.ecr-fips.*.amazonaws.com',
  '*.dkr.ecr.*.amazonaws.com.cn',
  '*.dkr-ecr.*.on.aws',
  '*.dkr-ecr-fips.*.on.aws',
  ECR_PUBLIC_HOST,
]

const PRIVATE_HOST = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/
const DUAL_STACK_HOST = /^(\d{12})\.dkr-ecr(-fips)?\.([a-z0-9-]+)\.on\.aws$/
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

/**
 * Parse an ECR registry host; undefined for anything else (no DNS, no I/O). Matching is
 * case-insensitive, as host names are; a port (`:443`) or any prefix/suffix is not ECR.
 */
export function parseEcrHost(host: string): EcrHost | undefined {
  const h = host.toLowerCase()
  if (h === ECR_PUBLIC_HOST) return {kind: 'public', host: ECR_PUBLIC_HOST}
  const dual = DUAL_STACK_HOST.exec(h)
  if (dual) {
    const [, accountId, fips, region] = dual as unknown as [string, string, string | undefined, string]
    // China's dual-stack names are not under on.aws.
    if (!REGION.test(region) || region.startsWith('cn-')) return undefined
    const partition = region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'
    return {kind: 'private', host: h, accountId, region, partition, fips: Boolean(fips), dualStack: true}
  }
  const m = PRIVATE_HOST.exec(h)
  if (!m) return undefined
  const [, accountId, fips, region, china] = m as unknown as [string, string, string | undefined, string, string | undefined]
  if (!REGION.test(region)) return undefined
  const chinaRegion = region.startsWith('cn-')
  // China regions live only under amazonaws.com.cn, and only there; no FIPS endpoints in China.
  if (Boolean(china) !== chinaRegion) return undefined
  if (china && fips) return undefined
  const partition = china ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'
  return {kind: 'private', host: h, accountId, region, partition, fips: Boolean(fips), dualStack: false}
}

/** True for private ECR and ECR Public hosts. */
export function isEcrHost(host: string): boolean {
  return parseEcrHost(host) !== undefined
}
