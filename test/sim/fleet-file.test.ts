import { describe, expect, it } from 'vitest';
import { InputValidationError } from '../../lib/errors.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';

const cluster = { name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' } };
const fleetText = (clusters: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ ...extra, clusters });

describe('fleet file validation names the offending field', () => {
  // [description, fleet text, field, problem pattern]
  const cases: [string, string, string, RegExp][] = [
    ['bad cluster name', fleetText([{ ...cluster, name: '-c1' }]), 'clusters[0].name', /EKS ClusterName/],
    ['bad add-on version', fleetText([cluster, { ...cluster, name: 'c2', addon: { version: '1.18.1' } }]), 'clusters[1].addon.version', /EKS add-on build/],
    ['unknown key', fleetText([{ ...cluster, colour: 'blue' }]), 'clusters[0].colour', /colour/],
    ['duplicate cluster', fleetText([cluster, { ...cluster }]), 'clusters[1].name', /duplicates clusters\[0\]/],
    ['bad fault effect', fleetText([{ ...cluster, faults: [{ effect: 'EXPLODE' }] }]), 'clusters[0].faults[0].effect', /UPDATE_FAILED/],
    ['bad fault version glob', fleetText([{ ...cluster, faults: [{ effect: 'STUCK', toVersion: '1.15' }] }]), 'clusters[0].faults[0].toVersion', /version glob/],
    ['bad setting', fleetText([cluster], { settings: { updateSeconds: 0 } }), 'settings.updateSeconds', /./],
    ['not JSON', '{ clusters: ', '(root)', /not valid JSON/],
    ['nodes and node groups disagree', fleetText([{ ...cluster, nodes: 5, nodeGroups: [{ name: 'a', count: 3 }] }]), 'clusters[0].nodes', /node groups have 3 nodes/],
    ['duplicate node group', fleetText([{ ...cluster, nodeGroups: [{ name: 'a', count: 1 }, { name: 'a', count: 2 }] }]), 'clusters[0].nodeGroups[1].name', /duplicates node group a/],
    ['bad node label', fleetText([{ ...cluster, nodeGroups: [{ name: 'gpu', count: 1, labels: { 'bad key!': 'x' } }] }]), 'clusters[0].nodeGroups[0].labels["bad key!"]', /label key/],
    ['bad instance type', fleetText([{ ...cluster, nodeGroups: [{ name: 'gpu', count: 1, instanceType: 'huge' }] }]), 'clusters[0].nodeGroups[0].instanceType', /instance type/],
    ['nodeSelector on a fault that has no nodes', fleetText([{ ...cluster, faults: [{ effect: 'STUCK', nodeSelector: 'a=b' }] }]), 'clusters[0].faults[0].nodeSelector', /applies only to POD_NOT_READY/],
    ['bad nodeSelector', fleetText([{ ...cluster, faults: [{ effect: 'POD_NOT_READY', nodeSelector: '=gpu' }] }]), 'clusters[0].faults[0].nodeSelector', /label selector/],
    ['NODE_JOIN into no such group', fleetText([{ ...cluster, faults: [{ effect: 'NODE_JOIN', nodeGroup: 'gpu' }] }]), 'clusters[0].faults[0].nodeGroup', /names no node group/],
    ['bad jitter', fleetText([cluster], { settings: { durationJitter: 2 } }), 'settings.durationJitter', /./],
  ];

  it.each(cases)('%s', (_name, text, field, problem) => {
    // Act
    const error = (() => {
      try {
        parseFleetFile(text);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).field).toBe(field);
    expect((error as InputValidationError).problem).toMatch(problem);
  });

  it('fills the documented defaults for a minimal cluster', () => {
    // Act
    const fleet = parseFleetFile(fleetText([cluster]));
    // Assess
    expect(fleet.settings).toEqual({
      oneMinorRule: true,
      omittedRoleClears: true,
      updateSeconds: 60,
      secondsPerNode: 2,
      durationJitter: 0,
      seed: 1,
      podReadySeconds: 5,
      concurrentStartSeconds: 2.5,
      activeAwaitsRollout: false,
    });
    expect(fleet.clusters[0]).toMatchObject({ region: 'us-east-1', accountId: '111122223333', status: 'ACTIVE', nodes: 3, faults: [] });
  });

  it('counts the nodes of node groups, with their defaults', () => {
    // Act
    const fleet = parseFleetFile(fleetText([{ ...cluster, nodeGroups: [{ name: 'general', count: 6 }, { name: 'gpu', count: 2, instanceType: 'g5.xlarge' }] }]));
    // Assess
    expect(fleet.clusters[0]!.nodes).toBe(8);
    expect(fleet.clusters[0]!.nodeGroups![0]).toEqual({ name: 'general', count: 6, instanceType: 'm5.large', capacityType: 'ON_DEMAND', labels: {}, taints: [] });
  });
});
