import { describe, expect, it } from 'vitest';
import { InputValidationError, InvalidVersionError } from '../../../lib/errors.js';
import { planPath } from '../../../lib/versions/plan-path.js';
import { loadCatalogue } from '../../../sim/catalogue/catalogue.js';
import { fixtureBuilds } from '../../fixtures/catalogue.js';
import type { UpgradePathCase } from '../../fixtures/upgrade-paths.js';
import { upgradePaths } from '../../fixtures/upgrade-paths.js';
import { expectPlanInvariants } from './plan-invariants.js';

const simulator = loadCatalogue();

describe('planPath', () => {
  it('has a table of at least 40 cases, some against the simulator catalogue', () => {
    // Assess
    expect(upgradePaths.length).toBeGreaterThanOrEqual(40);
    expect(upgradePaths.filter((c) => c[5]?.catalogue === 'simulator').length).toBeGreaterThanOrEqual(5);
  });

  it.each<UpgradePathCase>(upgradePaths)('%s (%s → %s on %s)', (_name, from, target, kubernetesVersion, expected, options) => {
    // Prepare
    const builds = options?.catalogue === 'simulator' ? simulator.compatibleBuilds(kubernetesVersion) : fixtureBuilds(kubernetesVersion);

    // Act
    const plan = planPath({ from, target, kubernetesVersion, builds, allowDowngrade: options?.allowDowngrade, install: options?.install });

    // Assess
    if ('blocked' in expected) {
      expect(plan.blocked?.code).toBe(expected.blocked);
    } else {
      expect(plan.blocked).toBeNull();
      expect(plan.hops.map((h) => `${h.kind} ${h.to}`)).toEqual(expected);
    }
    expectPlanInvariants(plan, builds);
  });

  it('names the minor and the Kubernetes version when a minor has no build', () => {
    // Act
    const plan = planPath({ from: 'v1.8.0-eksbuild.1', target: 'default', kubernetesVersion: '1.31', builds: simulator.compatibleBuilds('1.31') });

    // Assess
    expect(plan.target).toBe('v1.22.4-eksbuild.3');
    expect(plan.blocked?.reason).toMatch(/no v1\.9 build is offered for Kubernetes 1\.31/);
  });

  it('says why nothing happens when the installed build is above a symbolic target', () => {
    // Act
    const plan = planPath({ from: 'v1.19.2-eksbuild.1', target: 'default', kubernetesVersion: '1.24', builds: fixtureBuilds('1.24') });

    // Assess
    expect(plan).toMatchObject({ hops: [], blocked: null, target: 'v1.19.0-eksbuild.1', direction: 'none' });
    expect(plan.notes).toEqual(['v1.19.2-eksbuild.1 is newer than the default build v1.19.0-eksbuild.1 for Kubernetes 1.24: a symbolic target never downgrades']);
  });

  it('states in a note which minor a self-managed install is adopted at when its own is not offered', () => {
    // Act
    const plan = planPath({ from: 'v1.9.1', target: 'default', kubernetesVersion: '1.28', builds: fixtureBuilds('1.28') });

    // Assess
    expect(plan.hops[0]).toEqual({ index: 1, from: 'v1.9.1', to: 'v1.10.4-eksbuild.3', kind: 'create' });
    expect(plan.notes.join('\n')).toMatch(/v1\.9 has no build offered for Kubernetes 1\.28; the add-on is created at v1\.10\.4-eksbuild\.3/);
  });

  it('notes a create that lands below the installed self-managed patch', () => {
    // Act
    const plan = planPath({ from: 'v1.11.5', target: 'v1.13.4-eksbuild.1', kubernetesVersion: '1.23', builds: fixtureBuilds('1.23') });

    // Assess
    expect(plan.notes.join('\n')).toMatch(/created at v1\.11\.4-eksbuild\.3, older than the installed v1\.11\.5/);
  });

  it('reports an unresolvable target as target null', () => {
    // Act
    const plan = planPath({ from: 'v1.18.5-eksbuild.1', target: 'default', kubernetesVersion: '1.40', builds: [] });

    // Assess
    expect(plan).toMatchObject({ target: null, hops: [], blocked: { code: 'NO_COMPATIBLE_BUILD' } });
    expect(plan.blocked?.reason).toContain('Kubernetes 1.40');
  });

  it('takes a parsed TargetSpec as well as its text', () => {
    // Act
    const plan = planPath({ from: 'v1.9.3-eksbuild.1', target: { kind: 'default' }, kubernetesVersion: '1.21', builds: fixtureBuilds('1.21') });

    // Assess
    expect(plan.hops.map((h) => h.to)).toEqual(['v1.10.4-eksbuild.3']);
  });

  it.each([
    ['from', { from: '1.12.6', target: 'default' }, InvalidVersionError],
    ['target', { from: 'v1.12.6-eksbuild.2', target: 'newest' }, InvalidVersionError],
    ['target', { from: 'v1.12.6-eksbuild.2', target: 'v1.13.4' }, InputValidationError],
    ['from', { from: 'v1.12.6', target: 'default', install: 'managed' as const }, InputValidationError],
  ])('rejects a bad %s with an error naming it (%o)', (field, input, errorClass) => {
    // Act
    const act = () => planPath({ ...input, kubernetesVersion: '1.23', builds: fixtureBuilds('1.23') });

    // Assess
    expect(act).toThrow(errorClass);
    expect(act).toThrow(expect.objectContaining({ field }));
    expect(act).toThrow(new RegExp(`^${field}: `));
  });

  it('rejects an offered build that is not a version, naming its index', () => {
    // Prepare
    const builds = [{ version: 'v1.19.2-eksbuild.1', isDefault: true }, { version: 'latest', isDefault: false }];

    // Act
    const act = () => planPath({ from: 'v1.18.5-eksbuild.1', target: 'default', kubernetesVersion: '1.24', builds });

    // Assess
    expect(act).toThrow(expect.objectContaining({ name: 'InvalidVersionError', field: 'builds[1].version' }));
  });
});
