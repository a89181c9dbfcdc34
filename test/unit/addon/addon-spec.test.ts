import { describe, expect, it } from 'vitest';
import { ADDON_NAMES, addonSpec, DEFAULT_ADDON, VPC_CNI } from '../../../lib/addon-spec.js';
import { InputValidationError } from '../../../lib/errors.js';
import { validateFleetInput } from '../../../lib/steps/validate-fleet-input.js';
import { validateInput } from '../../../lib/steps/validate-input.js';
import { planPath } from '../../../lib/versions/plan-path.js';
import type { VersionPolicy } from '../../../lib/versions/version-policy.js';
import { forEachState, loadDefinition, type AslState } from '../../../rehearsal/runner/asl-definition.js';

// The add-on is a value that flows from the execution input: one spec knows it, the workflows carry only its name.

const home = { accountId: '111122223333' };
const event = (input: unknown) => ({ input, executionId: 'arn:aws:states:us-east-1:111122223333:execution:m:run-1', executionName: 'run-1' });
const cluster = { name: 'payments-prod', region: 'us-east-1' };

describe('the add-on spec', () => {
  it('registers vpc-cni alone, as the default, and refuses any other name naming the field', () => {
    // Act
    const spec = addonSpec('vpc-cni');
    const refused = (() => {
      try {
        addonSpec('coredns', 'options.addon');
      } catch (error) {
        return error;
      }
      return undefined;
    })();

    // Assess
    expect(ADDON_NAMES).toEqual(['vpc-cni']);
    expect(DEFAULT_ADDON).toBe('vpc-cni');
    expect(spec).toBe(VPC_CNI);
    expect(addonSpec(undefined)).toBe(VPC_CNI);
    expect(refused).toBeInstanceOf(InputValidationError);
    expect((refused as InputValidationError).field).toBe('options.addon');
    expect((refused as Error).message).toContain('"vpc-cni"');
    expect(() => addonSpec('toString')).toThrow(InputValidationError);
  });

  it('knows vpc-cni\'s IAM resource, its gate workload and its version rules', () => {
    // Assess
    expect(VPC_CNI.iamResource('prod-*')).toBe('addon/prod-*/vpc-cni/*');
    expect(VPC_CNI.workload).toMatchObject({ namespace: 'kube-system', daemonSet: 'aws-node', versionContainer: 'aws-node' });
    expect(VPC_CNI.workload.imageContainers).toContain('aws-vpc-cni-init');
    expect(VPC_CNI.versionPolicy).toMatchObject({ minorsPerHop: 1, waypoints: [{ line: 'v1.7', before: 'v1.12' }] });
    expect(VPC_CNI.selfManagedMigration).toBe(true);
  });

  it('is the policy the planner walks by: a waypoint comes from the spec, not from the planner', () => {
    // Prepare: a self-managed v1.6 adopted at v1.8 (no v1.7 offered) on its way to v1.12.
    const builds = ['v1.8.0-eksbuild.1', 'v1.9.0-eksbuild.1', 'v1.10.0-eksbuild.1', 'v1.11.0-eksbuild.1', 'v1.12.0-eksbuild.1'].map((version) => ({ version, isDefault: false }));
    const input = { from: 'v1.6.3', target: 'v1.12.0-eksbuild.1', kubernetesVersion: '1.24', builds };
    const noWaypoint: VersionPolicy = { ...VPC_CNI.versionPolicy, waypoints: [] };

    // Act
    const withSpec = planPath({ ...input, policy: VPC_CNI.versionPolicy });
    const withDefault = planPath(input);
    const without = planPath({ ...input, policy: noWaypoint });

    // Assess
    expect(withSpec.blocked?.code).toBe('V1_7_GATE');
    expect(withDefault).toEqual(withSpec);
    expect(without.blocked).toBeNull();
    expect(without.hops.map((h) => h.kind)).toEqual(['create', 'minor', 'minor', 'minor', 'minor']);
  });
});

describe('the add-on in the workflows', () => {
  it('ValidateInput and ValidateFleetInput put the input\'s add-on, default vpc-cni, in the state: the name only', () => {
    // Act
    const given = validateInput(event({ cluster, addon: 'vpc-cni' }), home);
    const defaulted = validateInput(event({ cluster }), home);
    const fleet = validateFleetInput(event({ clusters: [cluster] }), home);

    // Assess: a few bytes of state, whatever the spec holds.
    expect(given.addon).toBe('vpc-cni');
    expect(defaulted.addon).toBe('vpc-cni');
    expect(fleet.addon).toBe('vpc-cni');
    const { addon, ...rest } = defaulted;
    expect(JSON.stringify(defaulted).length - JSON.stringify(rest).length).toBe(`,"addon":"${addon}"`.length);
    expect(() => validateInput(event({ cluster, addon: 'coredns' }), home)).toThrow(expect.objectContaining({ name: 'InputValidationError', field: 'addon' }));
    expect(() => validateFleetInput(event({ clusters: [cluster], addon: 'kube-proxy' }), home)).toThrow(expect.objectContaining({ name: 'InputValidationError', field: 'addon' }));
  });

  it('the fleet workflow hands the add-on to every discovery lane, wave lane and child execution', () => {
    // Prepare: the states of the deployed fleet definition, nested ones included.
    const states = new Map<string, AslState>();
    forEachState(loadDefinition('upgrade-fleet'), (name, state) => states.set(name, state));
    const selectorOf = (name: string): Record<string, unknown> => (states.get(name)?.ItemSelector ?? states.get(name)?.Parameters) as Record<string, unknown>;

    // Act
    const carried = {
      DiscoverLanes: selectorOf('DiscoverLanes')['addon.$'],
      RecordLaneFaults: selectorOf('RecordLaneFaults')['addon.$'],
      UpgradeWave: selectorOf('UpgradeWave')['addon.$'],
      UpgradeLanePage: selectorOf('UpgradeLanePage')['addon.$'],
      UpgradeCluster: (selectorOf('UpgradeCluster')['Input'] as Record<string, unknown>)['addon.$'],
    };

    // Assess
    expect(carried).toEqual({ DiscoverLanes: '$.addon', RecordLaneFaults: '$.addon', UpgradeWave: '$.addon', UpgradeLanePage: '$.addon', UpgradeCluster: '$.addon' });
  });
});
