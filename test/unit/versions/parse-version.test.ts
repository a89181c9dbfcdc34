import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidVersionError, isCniFleetError } from '../../../lib/errors.js';
import { isVersion, parseVersion } from '../../../lib/versions/parse-version.js';

describe('parseVersion', () => {
  it.each([
    ['v1.12.6-eksbuild.2', { major: 1, minor: 12, patch: 6, eksbuild: 2 }],
    ['v1.11.4', { major: 1, minor: 11, patch: 4, eksbuild: undefined }],
    ['v1.7.10-eksbuild.1', { major: 1, minor: 7, patch: 10, eksbuild: 1 }],
    ['v0.0.0', { major: 0, minor: 0, patch: 0, eksbuild: undefined }],
  ])('parses %s', (input, expected) => {
    // Act
    const version = parseVersion(input);

    // Assess
    expect(version).toEqual({ ...expected, raw: input });
    expect(isVersion(input)).toBe(true);
  });

  it.each([
    '',
    '1.12.6',
    'v1.12',
    'v1.12.6-eksbuild',
    'v1.12.6-eksbuild.0',
    'v1.12.6-eksbuild.02',
    'v01.12.6',
    'v1.12.6-rc.1',
    'v1.12.6 ',
    'V1.12.6',
    'latest',
  ])('rejects %j with InvalidVersionError naming the field', (input) => {
    // Act
    const act = () => parseVersion(input, 'clusters[0].addon.version');

    // Assess
    expect(act).toThrow(InvalidVersionError);
    expect(act).toThrow(expect.objectContaining({ name: 'InvalidVersionError', field: 'clusters[0].addon.version', input }));
    expect(act).toThrow(/^clusters\[0\]\.addon\.version: /);
    expect(isVersion(input)).toBe(false);
  });

  it('names the field "version" when none is given', () => {
    // Act
    const act = () => parseVersion('nope');

    // Assess
    expect(act).toThrow(/^version: "nope" is not a vpc-cni version/);
  });

  it('either parses a string back to the same text or throws a cni-fleet error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^v\d{1,3}\.\d{1,3}\.\d{1,3}(-eksbuild\.\d{1,2})?$/)), (input) => {
        // Act
        let parsed: ReturnType<typeof parseVersion> | undefined;
        let error: unknown;
        try {
          parsed = parseVersion(input, 'input');
        } catch (e) {
          error = e;
        }

        // Assess
        if (parsed) {
          const text = `v${parsed.major}.${parsed.minor}.${parsed.patch}${parsed.eksbuild === undefined ? '' : `-eksbuild.${parsed.eksbuild}`}`;
          expect(text).toBe(input);
        } else {
          expect(isCniFleetError(error)).toBe(true);
          expect(error).toMatchObject({ name: 'InvalidVersionError', field: 'input' });
        }
      }),
    );
  });
});
