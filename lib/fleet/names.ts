import { z } from 'zod';
import { isVersion } from '../versions/parse-version.js';

// EKS's ClusterName shape: 1–100 characters, pattern ^[0-9A-Za-z][A-Za-z0-9\-_]*
// (docs/eks-behaviour.md#names-and-lengths).
export const ClusterName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[0-9A-Za-z][A-Za-z0-9\-_]*$/, 'must start with a letter or digit and contain only letters, digits, "-" and "_" (EKS ClusterName)');

export const Region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS Region such as us-east-1');

export const AccountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

export const KubernetesVersion = z.string().regex(/^1\.\d{2}$/, 'must be a Kubernetes minor such as "1.29"');

export const VersionString = z.string().refine(isVersion, 'must be a vpc-cni version such as v1.12.6-eksbuild.2');

/**
 * An EKS build: the add-on API only knows `-eksbuild.N` versions (docs/eks-behaviour.md#vpc-cni-versions-and-builds).
 */
export const EksBuildVersion = z
  .string()
  .refine((v) => isVersion(v) && v.includes('-eksbuild.'), 'must be an EKS add-on build such as v1.12.6-eksbuild.2');

// RoleArn is 1–255 characters (docs/eks-behaviour.md#names-and-lengths); IAM role ARNs in any partition (aws, aws-cn,
// aws-us-gov, aws-iso-b, …).
export const RoleArn = z
  .string()
  .max(255)
  .regex(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/, 'must be an IAM role ARN such as arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole');

/**
 * The account an ARN belongs to (its fifth field): `arn:aws:iam::222233334444:role/x` → `222233334444`,
 * `arn:aws:eks:us-east-1:111122223333:cluster/prod` → `111122223333`; undefined when absent or empty.
 */
export const accountOfArn = (arn: string | undefined): string | undefined => arn?.split(':')[4] || undefined;

/**
 * The account, Region and name an EKS cluster ARN names (`arn:<partition>:eks:<region>:<account>:cluster/<name>`);
 * undefined when the text is not a cluster ARN.
 *
 * @example
 * clusterOfArn('arn:aws:eks:us-east-1:111122223333:cluster/prod') // { accountId: '111122223333', region: 'us-east-1', name: 'prod' }
 */
export const clusterOfArn = (arn: string | undefined): { accountId: string; region: string; name: string } | undefined => {
  const m = /^arn:[a-z-]+:eks:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/.exec(arn ?? '');
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : undefined;
};

// EKS bounds tags by length only (docs/eks-behaviour.md#names-and-lengths); a control character (NUL, newline, …) is
// never part of a real tag and would only reach logs and reports.
const noControlCharacters = (text: string): boolean => [...text].every((ch) => ch.charCodeAt(0) >= 0x20 && ch !== '\u007f');

// TagMap: 1–50 entries, key 1–128, value ≤ 256 characters (docs/eks-behaviour.md#names-and-lengths).
export const Tags = z
  .record(
    z.string().min(1).max(128).refine(noControlCharacters, 'must not contain control characters'),
    z.string().max(256).refine(noControlCharacters, 'must not contain control characters'),
  )
  .refine((t) => Object.keys(t).length <= 50, 'at most 50 tags');

// The characters AWS generally allows in tags: letters, numbers, spaces, and + - = . _ : / @ (AWS tagging
// restrictions, e.g. the AWS::EKS::* Tag pages of the CloudFormation reference).
export const TagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'must be a tag key: letters, digits, spaces and + - = . _ : / @');

export const PodIdentityAssociation = z.strictObject({
  // A Kubernetes ServiceAccount name: a DNS subdomain (lower-case alphanumerics, "-" and "."), at most 253.
  serviceAccount: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a Kubernetes ServiceAccount name such as aws-node'),
  roleArn: RoleArn,
});
