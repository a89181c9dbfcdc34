import { expect } from 'vitest';
import { compareVersions, minorIndex } from '../../../lib/versions/compare-versions.js';
import type { CompatibleBuild } from '../../../lib/versions/compatible-build.js';
import type { UpgradePlan } from '../../../lib/versions/upgrade-plan.js';
import { PlanBlockCode } from '../../../lib/versions/upgrade-plan.js';

const V1_7 = minorIndex('v1.7.0');
const V1_12 = minorIndex('v1.12.0');

/**
 * The rules every plan obeys, whatever the catalogue: a blocked plan has a code, a reason and no
 * hops; otherwise hops chain from `from`, every update moves at most one minor in the plan's direction, every
 * hop lands on an offered build, the last lands on the target, and nothing reaches v1.12+ from below v1.7
 * without running v1.7.x first.
 */
export function expectPlanInvariants(plan: UpgradePlan, builds: readonly CompatibleBuild[]): void {
  if (plan.blocked) {
    expect(Object.values(PlanBlockCode)).toContain(plan.blocked.code);
    expect(plan.blocked.reason.length).toBeGreaterThan(10);
    expect(plan.hops).toEqual([]);
    return;
  }
  const offered = new Set(builds.map((b) => b.version));
  plan.hops.forEach((hop, i) => {
    expect(hop.index).toBe(i + 1);
    expect(hop.from).toBe(i === 0 ? plan.from : plan.hops[i - 1]!.to);
    expect(offered.has(hop.to)).toBe(true);
    if (hop.kind === 'create') {
      expect(i).toBe(0);
      return;
    }
    const minors = minorIndex(hop.to) - minorIndex(hop.from);
    expect(Math.abs(minors)).toBe(hop.kind === 'minor' ? 1 : 0);
    expect(Math.sign(compareVersions(hop.to, hop.from))).toBe(plan.direction === 'down' ? -1 : 1);
  });
  if (plan.hops.length > 0) expect(plan.hops.at(-1)!.to).toBe(plan.target);
  else expect(plan.from === plan.target || plan.notes.length > 0).toBe(true);

  const path = [plan.from, ...plan.hops.map((h) => h.to)].map((v) => minorIndex(v));
  const firstGated = path.findIndex((m) => m >= V1_12);
  if (path[0]! < V1_7 && firstGated > 0) expect(path.slice(0, firstGated)).toContain(V1_7);
}
