/**
 * The rules an add-on's version moves follow, as data the planner (plan-path.ts) reads rather than knows. Each add-on
 * spec (lib/addon-spec.ts) carries one; the planner never names an add-on.
 */
export interface VersionPolicy {
  /**
   * How many minor lines one UpdateAddon may move. EKS refuses a vpc-cni move of more than one ("can only go up or
   * down 1 minor version at a time": docs/eks-behaviour.md#the-one-minor-rule). The planner walks minor line by
   * minor line, so 1 is the only value it implements; an add-on with a looser rule widens this type and the walk.
   */
  readonly minorsPerHop: 1;
  /**
   * Lines a path must pass through: a path from below `line` that reaches `before` or later must run `line` first
   * (for vpc-cni, v1.7 before v1.12: docs/eks-behaviour.md#the-v17-gate). A minor-by-minor walk honours a waypoint by
   * construction; only the adoption of a self-managed install (a create at the nearest offered line) can jump one.
   */
  readonly waypoints: readonly { readonly line: string; readonly before: string }[];
  /**
   * Which builds a cluster may run: those DescribeAddonVersions offers for the add-on's name and the cluster's
   * Kubernetes version (the caller passes them to the planner). No add-on EKS manages knows another source.
   */
  readonly compatibility: 'describe-addon-versions';
}

/**
 * vpc-cni's rules, the policy of its spec (lib/addon-spec.ts VPC_CNI); the planner's default for callers that
 * plan vpc-cni without naming a spec (the planner's own tests and the benchmark's fleet generator). It lives here, not
 * in the spec module, because the spec imports this folder and lib/ must not import in a cycle.
 */
export const VPC_CNI_VERSION_POLICY: VersionPolicy = { minorsPerHop: 1, waypoints: [{ line: 'v1.7', before: 'v1.12' }], compatibility: 'describe-addon-versions' };
