import { describe, expect, it } from 'vitest';
import { earlierDurations, estimateSeconds, firstWaitSeconds, MIN_POLL_SECONDS, nextPollSeconds } from '../../../lib/steps/hop-wait.js';

const soakOff = { expectedHopSeconds: 60, pollIntervalSeconds: 15, kubernetesAccess: 'required', rolloutSoakSeconds: 0 } as const;
const gated = { ...soakOff, rolloutSoakSeconds: 120 } as const;
const prev = (durationSeconds: number | null, earlierSeconds?: number[]) => ({ durationSeconds, earlierSeconds, updateId: 'u', kind: 'minor' as const });

describe('the hop waits (lib/steps/hop-wait.ts)', () => {
  it('the first hop has no history: expectedHopSeconds plus the soak, then every pollIntervalSeconds', () => {
    expect(firstWaitSeconds(soakOff, [], null)).toBe(60);
    expect(firstWaitSeconds(gated, [], null)).toBe(180);
    expect(firstWaitSeconds({ ...gated, kubernetesAccess: 'off' }, [], null)).toBe(60);
    expect(nextPollSeconds(soakOff, [])).toBe(15);
  });

  it("collects EKS's durations of the earlier hops, skipping a hop found already done", () => {
    expect(earlierDurations(undefined)).toEqual([]);
    expect(earlierDurations(prev(84))).toEqual([84]);
    expect(earlierDurations(prev(92, [84]))).toEqual([84, 92]);
    expect(earlierDurations(prev(0, [84]))).toEqual([84]);
    expect(earlierDurations(prev(null, [84]))).toEqual([84]);
  });

  it('later hops look first at the geometric mean of the earlier durations, not at a slow one alone', () => {
    expect(estimateSeconds([80, 125])).toBeCloseTo(100, 5);
    expect(firstWaitSeconds(soakOff, [80, 125], null)).toBe(100);
    // Without a soak the gate's settled time is when a look saw the hop: it must not push the next wait out.
    expect(firstWaitSeconds(soakOff, [80, 125], 160)).toBe(100);
  });

  it("with the soak, the first look waits for the gate's settled time when that is later", () => {
    expect(firstWaitSeconds(gated, [80, 125], 230)).toBe(230);
    expect(firstWaitSeconds(gated, [80, 125], 90)).toBe(100);
  });

  it('looks again every 15% of the estimate, within [MIN_POLL_SECONDS, pollIntervalSeconds]', () => {
    expect(nextPollSeconds(soakOff, [80])).toBe(12);
    expect(nextPollSeconds(soakOff, [400])).toBe(15);
    expect(nextPollSeconds(soakOff, [10])).toBe(MIN_POLL_SECONDS);
    expect(nextPollSeconds({ ...soakOff, pollIntervalSeconds: 3 }, [10])).toBe(3);
  });
});
