import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWindow, parseWindow, windowStatus, WindowSyntaxError } from '../../../lib/controls/maintenance-window.js';

// 2026-12-07 is a Monday.
const at = (iso: string) => new Date(iso);

describe('maintenance windows', () => {
  it.each([
    ['Sat-Sun 02:00-06:00 UTC', '2026-12-07T10:00:00Z', false, '2026-12-12T02:00:00.000Z', '2026-12-12T06:00:00.000Z'],
    ['Sat-Sun 02:00-06:00 UTC', '2026-12-13T05:59:00Z', true, '2026-12-13T05:59:00.000Z', '2026-12-13T06:00:00.000Z'],
    ['Sat-Sun 02:00-06:00', '2026-12-13T06:00:00Z', false, '2026-12-19T02:00:00.000Z', '2026-12-19T06:00:00.000Z'],
    // Crossing midnight: Sunday 22:00 to Monday 04:00 belongs to Sunday, so Monday 01:00 is inside it.
    ['Sun 22:00-04:00 UTC', '2026-12-07T01:00:00Z', true, '2026-12-07T01:00:00.000Z', '2026-12-07T04:00:00.000Z'],
    ['Fri-Mon 01:00-03:00 UTC', '2026-12-08T00:00:00Z', false, '2026-12-11T01:00:00.000Z', '2026-12-11T03:00:00.000Z'],
    ['daily 23:30-24:00 UTC', '2026-12-07T23:45:00Z', true, '2026-12-07T23:45:00.000Z', '2026-12-08T00:00:00.000Z'],
    ['Mon+Wed 22:00-23:00 UTC / Sat 02:00-03:00 UTC', '2026-12-09T23:00:00Z', false, '2026-12-12T02:00:00.000Z', '2026-12-12T03:00:00.000Z'],
  ])('%s at %s: open %s, opens %s, closes %s', (tag, now, open, opensAt, closesAt) => {
    // Act
    const status = windowStatus(parseWindow(tag), at(now));
    // Assess
    expect({ open: status.open, opensAt: status.opensAt.toISOString(), closesAt: status.closesAt.toISOString() }).toEqual({ open, opensAt, closesAt });
  });

  it.each([
    ['Saturday 2am', '"2am" is not a time range'],
    ['Caturday 02:00-06:00', '"Caturday" is not a day'],
    ['Sat 02:00-06:00 CET', 'times are UTC only'],
    ['Sat 2:00-6:00 UTC', 'is not a time range'],
    ['Sat 25:00-26:00', 'is not a time'],
    ['Sat 02:00-02:00', 'is empty'],
    ['02:00-06:00', 'is not "DAYS HH:MM-HH:MM UTC"'],
  ])('refuses %s, saying what is wrong', (tag, problem) => {
    expect(() => parseWindow(tag)).toThrow(WindowSyntaxError);
    expect(() => parseWindow(tag)).toThrow(problem);
  });

  it('writes a canonical form that parses back to the same openings', () => {
    expect(describeWindow(parseWindow('sat 02:00-06:00 / sun 02:00-06:00'))).toBe('Sat-Sun 02:00-06:00 UTC');
    expect(describeWindow(parseWindow('daily 22:00-02:00'))).toBe('daily 22:00-02:00 UTC');
    expect(describeWindow(parseWindow('Mon+Thu 10:00-24:00 UTC'))).toBe('Mon+Thu 10:00-24:00 UTC');
    const day = fc.constantFrom('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun');
    const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const spec = fc.tuple(fc.uniqueArray(day, { minLength: 1, maxLength: 7 }), time, time).filter(([, a, b]) => a !== b).map(([days, a, b]) => `${days.join('+')} ${a}-${b} UTC`);
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 3 }), (specs) => {
        const parsed = parseWindow(specs.join(' / '));
        expect(parseWindow(describeWindow(parsed)).intervals).toEqual(parsed.intervals);
      }),
    );
  });

  it('is open exactly inside each opening, for any instant of any week', () => {
    const window = parseWindow('Tue+Sat 21:00-03:00 UTC');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }), (ms) => {
        const now = new Date(ms);
        const status = windowStatus(window, now);
        // The opening it names contains now when open, and lies ahead (within a week) when not.
        if (status.open) expect(status.closesAt.getTime()).toBeGreaterThan(ms);
        else expect(status.opensAt.getTime() - ms).toBeGreaterThan(0);
        expect(status.opensAt.getTime() - ms).toBeLessThanOrEqual(7 * 86_400_000);
        expect(status.closesAt.getTime() - status.opensAt.getTime()).toBeLessThanOrEqual(6 * 3_600_000);
        // Just before the next opening it is closed, at the opening it is open.
        if (!status.open) {
          expect(windowStatus(window, new Date(status.opensAt.getTime() - 1)).open).toBe(false);
          expect(windowStatus(window, status.opensAt).open).toBe(true);
        }
      }),
    );
  });
});
