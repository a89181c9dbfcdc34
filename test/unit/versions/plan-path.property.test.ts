import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, minorIndex } from '../../../lib/versions/compare-versions.js';
import type { CompatibleBuild } from '../../../lib/versions/compatible-build.js';
import { planPath } from '../../../lib/versions/plan-path.js';
import { expectPlanInvariants } from './plan-invariants.js';

// Minors 4–16 span the v1.7 gate and v1.12, and are few enough that random catalogues are sometimes complete.
const upstream = fc.record({ minor: fc.integer({ min: 4, max: 16 }), patch: fc.integer({ min: 0, max: 4 }) });
const eksBuild = fc
  .record({ v: upstream, n: fc.integer({ min: 1, max: 3 }) })
  .map(({ v, n }) => `v1.${v.minor}.${v.patch}-eksbuild.${n}`);
const plainTag = upstream.map((v) => `v1.${v.minor}.${v.patch}`);

const MINORS = Array.from({ length: 13 }, (_, i) => 4 + i);
// Dense catalogues (each minor present with probability 7/8) make long walks common; sparse ones make holes common.
const buildsOfMinor = (minor: number) =>
  fc
    .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 3, selector: ([p, n]) => `${p}.${n}` })
    .map((builds) => builds.map(([patch, n]) => `v1.${minor}.${patch}-eksbuild.${n}`));
const denseVersions = fc
  .tuple(...MINORS.map((minor) => fc.option(buildsOfMinor(minor), { freq: 8, nil: [] as string[] })))
  .map((perMinor) => perMinor.flat());
const catalogue = fc
  .record({
    versions: fc.oneof(fc.uniqueArray(eksBuild, { maxLength: 50 }), denseVersions),
    defaultAt: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ versions, defaultAt }): CompatibleBuild[] => {
    const sorted = [...versions].sort((a, b) => compareVersions(b, a));
    const flagged = defaultAt === undefined || sorted.length === 0 ? -1 : defaultAt % sorted.length;
    return sorted.map((version, i) => ({ version, isDefault: i === flagged }));
  });

const scenario = catalogue.chain((builds) =>
  fc.record({
    builds: fc.constant(builds),
    from: fc.oneof(eksBuild, plainTag),
    target: fc.oneof(
      fc.constantFrom('default', 'latest'),
      eksBuild,
      builds.length > 0 ? fc.constantFrom(...builds.map((b) => b.version)) : eksBuild,
    ),
    allowDowngrade: fc.boolean(),
  }),
);

const lines = (builds: readonly CompatibleBuild[]): Set<number> => new Set(builds.map((b) => minorIndex(b.version)));

describe('planPath properties', () => {
  it('always moves one minor per update, in one direction, to the target, or blocks for a true reason', () => {
    fc.assert(
      fc.property(scenario, ({ builds, from, target, allowDowngrade }) => {
        // Act
        const plan = planPath({ from, target, kubernetesVersion: '1.29', builds, allowDowngrade });

        // Assess
        expectPlanInvariants(plan, builds);
        const symbolic = target === 'default' || target === 'latest';
        if (symbolic) expect(plan.direction).not.toBe('down');
        const offered = lines(builds);
        switch (plan.blocked?.code) {
          case undefined:
            break;
          case 'NO_COMPATIBLE_BUILD':
            expect(builds).toEqual([]);
            break;
          case 'NO_DEFAULT_BUILD':
            expect(target).toBe('default');
            expect(builds.some((b) => b.isDefault)).toBe(false);
            break;
          case 'TARGET_NOT_OFFERED':
            expect(builds.map((b) => b.version)).not.toContain(target);
            break;
          case 'DOWNGRADE_REFUSED':
            expect(symbolic || allowDowngrade).toBe(false);
            expect(compareVersions(from, target)).toBeGreaterThan(0);
            break;
          case 'MINOR_NOT_OFFERED': {
            const [lo, hi] = [minorIndex(from), minorIndex(plan.target!)].sort((a, b) => a - b) as [number, number];
            const between = Array.from({ length: Math.max(0, hi - lo - 1) }, (_, i) => lo + 1 + i);
            expect(between.some((line) => !offered.has(line))).toBe(true);
            break;
          }
          case 'V1_7_GATE':
            expect(from).not.toContain('-eksbuild.');
            expect(minorIndex(from)).toBeLessThan(minorIndex('v1.7.0'));
            expect(offered.has(minorIndex('v1.7.0'))).toBe(false);
            expect(minorIndex(plan.target!)).toBeGreaterThanOrEqual(minorIndex('v1.12.0'));
            break;
          default:
            expect.unreachable(`unexpected block ${plan.blocked?.code}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('plans every minor of a complete catalogue without blocking', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 16 }), fc.integer({ min: 4, max: 16 }), (fromMinor, toMinor) => {
        // Prepare
        const builds = Array.from({ length: 13 }, (_, i) => ({ version: `v1.${16 - i}.0-eksbuild.1`, isDefault: false }));
        const from = `v1.${fromMinor}.0-eksbuild.1`;
        const target = `v1.${toMinor}.0-eksbuild.1`;

        // Act
        const plan = planPath({ from, target, kubernetesVersion: '1.29', builds, allowDowngrade: true });

        // Assess
        expect(plan.blocked).toBeNull();
        expect(plan.hops).toHaveLength(Math.abs(toMinor - fromMinor));
        expectPlanInvariants(plan, builds);
      }),
    );
  });
});
