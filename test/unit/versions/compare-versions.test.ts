import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidVersionError } from '../../../lib/errors.js';
import { compareVersions, minorIndex, minorLine } from '../../../lib/versions/compare-versions.js';
import { parseVersion } from '../../../lib/versions/parse-version.js';

describe('compareVersions', () => {
  it('orders upstream tags and EKS builds numerically, a tag before its own builds', () => {
    // Prepare
    const shuffled = ['v1.13.4-eksbuild.1', 'v1.7.10-eksbuild.1', 'v1.12.6', 'v1.12.6-eksbuild.2', 'v1.7.9-eksbuild.3', 'v1.12.6-eksbuild.10', 'v1.7.10'];

    // Act
    const sorted = [...shuffled].sort(compareVersions);

    // Assess
    expect(sorted).toEqual(['v1.7.9-eksbuild.3', 'v1.7.10', 'v1.7.10-eksbuild.1', 'v1.12.6', 'v1.12.6-eksbuild.2', 'v1.12.6-eksbuild.10', 'v1.13.4-eksbuild.1']);
  });

  it.each([
    ['v1.12.6-eksbuild.2', 'v1.12.6-eksbuild.2', 0],
    ['v1.10.0-eksbuild.1', 'v1.9.3-eksbuild.3', 1],
    ['v1.9.3-eksbuild.3', 'v1.10.0-eksbuild.1', -1],
  ])('compares %s with %s', (a, b, sign) => {
    // Act
    const order = compareVersions(a, b);

    // Assess
    expect(Math.sign(order)).toBe(sign);
  });

  it('accepts parsed versions as well as text', () => {
    // Act
    const order = compareVersions(parseVersion('v1.19.0-eksbuild.1'), 'v1.18.6-eksbuild.1');

    // Assess
    expect(order).toBeGreaterThan(0);
  });

  it('rejects a bad string with InvalidVersionError', () => {
    // Act
    const act = () => compareVersions('v1.12.6-eksbuild.2', '1.12');

    // Assess
    expect(act).toThrow(InvalidVersionError);
    expect(act).toThrow(expect.objectContaining({ input: '1.12' }));
  });

  it('is antisymmetric and transitive on random versions', () => {
    // Prepare
    const version = fc
      .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 10 }), fc.option(fc.integer({ min: 1, max: 9 })))
      .map(([ma, mi, pa, b]) => `v${ma}.${mi}.${pa}${b === null ? '' : `-eksbuild.${b}`}`);

    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        // Act
        const ab = compareVersions(a, b);
        const bc = compareVersions(b, c);

        // Assess
        expect(Math.sign(compareVersions(b, a))).toBe(-Math.sign(ab));
        if (ab <= 0 && bc <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('minorIndex, minorLine', () => {
  it('counts minor distances by subtraction', () => {
    // Act
    const distance = minorIndex('v1.12.6-eksbuild.2') - minorIndex('v1.10.1-eksbuild.1');

    // Assess
    expect(distance).toBe(2);
  });

  it('names the minor line of a build', () => {
    // Act
    const line = minorLine('v1.12.6-eksbuild.2');

    // Assess
    expect(line).toBe('v1.12');
  });
});
