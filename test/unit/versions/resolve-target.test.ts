import { describe, expect, it } from 'vitest';
import { InputValidationError, InvalidVersionError } from '../../../lib/errors.js';
import { parseTargetSpec, resolveTarget } from '../../../lib/versions/resolve-target.js';
import { fixtureBuilds } from '../../fixtures/catalogue.js';

describe('parseTargetSpec', () => {
  it.each([
    ['default', { kind: 'default' }],
    ['latest', { kind: 'latest' }],
    ['v1.19.0-eksbuild.1', { kind: 'exact', version: 'v1.19.0-eksbuild.1' }],
  ])('parses %s', (input, expected) => {
    // Act
    const spec = parseTargetSpec(input);

    // Assess
    expect(spec).toEqual(expected);
  });

  it.each(['', 'Default', 'newest', '1.19.0-eksbuild.1', 'v1.19', 'v1.19.0-eksbuild.0', ' v1.19.0-eksbuild.1'])(
    'rejects %j with InvalidVersionError naming the field',
    (input) => {
      // Act
      const act = () => parseTargetSpec(input, '--target');

      // Assess
      expect(act).toThrow(InvalidVersionError);
      expect(act).toThrow(expect.objectContaining({ field: '--target', input }));
    },
  );

  it('rejects a plain upstream tag: the add-on API only knows EKS builds', () => {
    // Act
    const act = () => parseTargetSpec('v1.19.0');

    // Assess
    expect(act).toThrow(InputValidationError);
    expect(act).toThrow(/^target: "v1\.19\.0" is an upstream tag/);
  });
});

describe('resolveTarget', () => {
  it('picks the build flagged default', () => {
    // Act
    const resolved = resolveTarget('default', fixtureBuilds('1.24'), '1.24');

    // Assess
    expect(resolved).toEqual({ ok: true, version: 'v1.19.0-eksbuild.1', symbolic: true });
  });

  it('picks the newest build for latest, whatever the order it was given in', () => {
    // Prepare
    const builds = [...fixtureBuilds('1.24')].reverse();

    // Act
    const resolved = resolveTarget({ kind: 'latest' }, builds, '1.24');

    // Assess
    expect(resolved).toEqual({ ok: true, version: 'v1.19.2-eksbuild.1', symbolic: true });
  });

  it('accepts an exact build that is offered', () => {
    // Act
    const resolved = resolveTarget('v1.16.1-eksbuild.1', fixtureBuilds('1.24'), '1.24');

    // Assess
    expect(resolved).toEqual({ ok: true, version: 'v1.16.1-eksbuild.1', symbolic: false });
  });

  it.each([
    ['v1.16.0-eksbuild.1', '1.23', 'TARGET_NOT_OFFERED', 'v1.16.0-eksbuild.1 is not offered for Kubernetes 1.23'],
    ['default', '1.25', 'NO_DEFAULT_BUILD', 'no vpc-cni build is flagged default for Kubernetes 1.25'],
    ['latest', '1.40', 'NO_COMPATIBLE_BUILD', 'no vpc-cni build is offered for Kubernetes 1.40'],
  ])('blocks %s on %s with %s', (target, k8s, code, reason) => {
    // Act
    const resolved = resolveTarget(target, fixtureBuilds(k8s), k8s);

    // Assess
    expect(resolved).toEqual({ ok: false, blocked: { code, reason } });
  });
});
