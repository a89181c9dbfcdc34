import { accountOfArn } from './names.js';

/**
 * A lane is one (account, Region): EKS throttles per account and Region, so the fleet schedules lanes, not
 * clusters (docs/fleet-workflow.md). Lanes are numbered 0…n-1 in the order PlanLanes first meets them; the
 * workflow's state carries only these numbers.
 */
export interface Lane {
  readonly lane: number;
  readonly accountId: string;
  readonly region: string;
  /** The role ListClusters is called with (a selector's account); a listed cluster keeps its own. */
  readonly roleArn?: string | undefined;
}

/** One named cluster as an explicit list gives it, once its lane is known. */
export interface LaneEntry {
  readonly name: string;
  readonly roleArn?: string | undefined;
}

/** A cluster named by an explicit list (the execution input's `clusters`, or a stored list). */
export interface ListedCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId?: string | undefined;
  readonly roleArn?: string | undefined;
}

/**
 * Step Functions' Distributed Map runs at most 10,000 child executions at once, and the fleet's state carries a
 * wave's lane numbers (at most 6 bytes each: 10,000 of them stay under 64 KiB). More lanes in one run are refused.
 */
export const MAX_LANES = 10_000;

/** Entries of a stored list per item: 500 of the longest entries (name, Region, account, role) stay under 256 KB. */
export const LIST_PART_SIZE = 500;

/** `account/region`, the lane's name in records and messages. */
export const laneName = (lane: { accountId: string; region: string }): string => `${lane.accountId}/${lane.region}`;

/**
 * The account a listed cluster is in: its `accountId`, else its role's account, else the deployment's own.
 *
 * @example
 * accountOf({ name: 'a', region: 'us-east-1', roleArn: 'arn:aws:iam::222233334444:role/x' }, '111122223333') // '222233334444'
 */
export const accountOf = (cluster: ListedCluster, homeAccount: string): string => cluster.accountId ?? accountOfArn(cluster.roleArn) ?? homeAccount;

/**
 * Groups an explicit list into lanes, in the order the list first names each (account, Region).
 *
 * @example
 * lanesOfList([{ name: 'a', region: 'us-east-1' }, { name: 'b', region: 'eu-west-1' }], '111122223333')
 * // [{ lane: { lane: 0, accountId: '111122223333', region: 'us-east-1' }, entries: [{ name: 'a' }] }, { lane: { lane: 1, … }, entries: [{ name: 'b' }] }]
 */
export function lanesOfList(clusters: readonly ListedCluster[], homeAccount: string): { lane: Lane; entries: LaneEntry[] }[] {
  const byKey = new Map<string, { lane: Lane; entries: LaneEntry[] }>();
  for (const c of clusters) {
    const accountId = accountOf(c, homeAccount);
    const key = laneName({ accountId, region: c.region });
    let group = byKey.get(key);
    if (!group) {
      group = { lane: { lane: byKey.size, accountId, region: c.region }, entries: [] };
      byKey.set(key, group);
    }
    group.entries.push(c.roleArn ? { name: c.name, roleArn: c.roleArn } : { name: c.name });
  }
  return [...byKey.values()];
}

/**
 * The lanes of a selector: every Region of every account (the deployment's own account when none is given).
 *
 * @example
 * lanesOfSelector({ regions: ['us-east-1', 'eu-west-1'] }, '111122223333').length // 2
 */
export function lanesOfSelector(selector: { regions: readonly string[]; accounts?: readonly { accountId: string; roleArn: string }[] | undefined }, homeAccount: string): Lane[] {
  const accounts = selector.accounts ?? [{ accountId: homeAccount, roleArn: undefined }];
  return accounts.flatMap((a, i) => selector.regions.map((region, j) => ({ lane: i * selector.regions.length + j, accountId: a.accountId, region, ...(a.roleArn ? { roleArn: a.roleArn } : {}) })));
}

/**
 * Wave order: `canary` first, then the other wave tag values in natural order (`1` < `2` < `10`), untagged
 * clusters last — so a problem shows on few clusters before it reaches many.
 */
export const compareWaves = (a: string, b: string): number => {
  const rank = (w: string): number => (w === 'canary' ? 0 : w === '' ? 2 : 1);
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
};

/**
 * Splits `items` into pages of at most `size`, keeping their order.
 *
 * @example
 * pages([1, 2, 3], 2) // [[1, 2], [3]]
 */
export function pages<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
