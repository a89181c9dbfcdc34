import { isVersion } from '../versions/parse-version.js';

/** An `amazon-k8s-cni` image reference split into the parts the migration looks at. */
export interface CniImage {
  /** `602401143452.dkr.ecr.us-west-2.amazonaws.com`, or whatever registry the operator mirrors to. */
  readonly registry: string;
  /** `amazon-k8s-cni`. */
  readonly repository: string;
  /** The tag: `v1.12.6-eksbuild.2` or `v1.15.1`. */
  readonly tag: string;
}

// EKS's own images come from an ECR registry of an AWS account per partition/region (aws-k8s-cni.yaml `image:`).
const EKS_REGISTRY = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/**
 * Splits an image reference (`registry[:port]/path/name:tag`, tag optional, `@sha256:` digest ignored).
 *
 * @example
 * parseImage('602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.12.6-eksbuild.2')
 * // { registry: '602401143452.dkr.ecr.us-west-2.amazonaws.com', repository: 'amazon-k8s-cni', tag: 'v1.12.6-eksbuild.2' }
 */
export function parseImage(image: string): CniImage {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const last = withoutDigest.slice(slash + 1);
  const colon = last.lastIndexOf(':');
  const name = colon >= 0 ? last.slice(0, colon) : last;
  const tag = colon >= 0 ? last.slice(colon + 1) : '';
  return { registry: slash >= 0 ? withoutDigest.slice(0, slash) : '', repository: name, tag };
}

/**
 * The installed vpc-cni version, read from the aws-node container's image tag the way the User Guide reads it
 * (`kubectl describe daemonset aws-node … | grep amazon-k8s-cni: | cut -d : -f 3`). Undefined when the tag is not
 * a vpc-cni version (a digest-only or custom tag).
 *
 * @example
 * installedVersion('602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.15.1') // 'v1.15.1'
 */
export function installedVersion(image: string): string | undefined {
  const { tag } = parseImage(image);
  return isVersion(tag) ? tag : undefined;
}

/** True for an image served by EKS's registries (the managed add-on always pulls from them). */
export const isEksRegistry = (registry: string): boolean => EKS_REGISTRY.test(registry);
