/**
 * Maintenance windows as a cluster tag states them (docs/operating-a-run.md, "Maintenance windows"):
 *
 *   `Sat-Sun 02:00-06:00 UTC`, `Mon+Wed 22:00-02:00 UTC`, `daily 01:00-03:00`, `Sat 02:00-06:00 UTC / Wed 03:00-04:00 UTC`
 *
 * Days are English three-letter names (any case), a range (`Mon-Fri`, wrapping `Fri-Mon`), a `+` list or `daily`;
 * times are 24-hour UTC; a range that ends before it starts crosses midnight and belongs to the day it starts on.
 * Only the characters EKS allows in a tag value are used (letters, digits, spaces, `+ - = . _ : / @`): no commas.
 */

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** One opening of a week: minutes from Monday 00:00 UTC, `end` after `start` (it may pass the week's end). */
interface WeeklyInterval {
  readonly start: number;
  readonly end: number;
}

/** A parsed window: the text as written and its openings in a week. */
export interface MaintenanceWindow {
  readonly text: string;
  readonly intervals: readonly WeeklyInterval[];
}

/** Where `now` stands against a window. */
export interface WindowStatus {
  readonly open: boolean;
  /** `now` when open, else the next opening. */
  readonly opensAt: Date;
  /** The end of the opening `opensAt` starts (or the current one). */
  readonly closesAt: Date;
}

/** A tag value that is not a window; `problem` says what is wrong with it. */
export class WindowSyntaxError extends Error {
  override readonly name = 'WindowSyntaxError' as const;
  constructor(readonly problem: string) {
    super(problem);
  }
}

const dayIndex = (word: string): number => {
  const i = DAYS.indexOf(word.toLowerCase() as (typeof DAYS)[number]);
  if (i < 0) throw new WindowSyntaxError(`"${word}" is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun, or daily)`);
  return i;
};

function parseDays(text: string): number[] {
  if (text.toLowerCase() === 'daily') return [0, 1, 2, 3, 4, 5, 6];
  if (text.includes('+')) {
    const days = text.split('+').map(dayIndex);
    return [...new Set(days)];
  }
  const range = /^([A-Za-z]+)-([A-Za-z]+)$/.exec(text);
  if (range) {
    const from = dayIndex(range[1] ?? '');
    const to = dayIndex(range[2] ?? '');
    const days: number[] = [];
    for (let d = from; ; d = (d + 1) % 7) {
      days.push(d);
      if (d === to) break;
    }
    return days;
  }
  return [dayIndex(text)];
}

function parseTime(text: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const hours = Number(m?.[1]);
  const minutes = Number(m?.[2]);
  if (!m || hours > 24 || minutes > 59 || (hours === 24 && minutes !== 0)) throw new WindowSyntaxError(`"${text}" is not a time (HH:MM, 00:00 to 24:00)`);
  return hours * 60 + minutes;
}

/**
 * Parses a window tag's value.
 *
 * @throws WindowSyntaxError naming what is wrong
 * @example
 * parseWindow('Sat-Sun 02:00-06:00 UTC').intervals // [{ start: 7320, end: 7560 }, { start: 8760, end: 9000 }]
 */
export function parseWindow(text: string): MaintenanceWindow {
  const specs = text.split(' / ').map((s) => s.trim());
  const intervals: WeeklyInterval[] = [];
  for (const spec of specs) {
    const words = spec.split(/\s+/).filter(Boolean);
    if (words.length === 3) {
      if (words[2]?.toUpperCase() !== 'UTC') throw new WindowSyntaxError(`"${words[2] ?? ''}": times are UTC only (write UTC or nothing)`);
    } else if (words.length !== 2) throw new WindowSyntaxError(`"${spec}" is not "DAYS HH:MM-HH:MM UTC"`);
    const [days = '', times = ''] = words;
    const range = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(times);
    if (!range) throw new WindowSyntaxError(`"${times}" is not a time range (HH:MM-HH:MM)`);
    const start = parseTime(range[1] ?? '');
    const end = parseTime(range[2] ?? '');
    if (start === end) throw new WindowSyntaxError(`"${times}" is empty (start and end are the same)`);
    const length = end > start ? end - start : end + MINUTES_PER_DAY - start;
    for (const day of parseDays(days)) intervals.push({ start: day * MINUTES_PER_DAY + start, end: day * MINUTES_PER_DAY + start + length });
  }
  const unique = [...new Map(intervals.map((i) => [`${i.start}-${i.end}`, i])).values()];
  return { text, intervals: unique.sort((a, b) => a.start - b.start || a.end - b.end) };
}

/** Monday 00:00 UTC of the week `date` is in. */
function weekStart(date: Date): number {
  const day = (date.getUTCDay() + 6) % 7;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day);
}

/**
 * Whether the window is open at `now`, and when it next opens (and closes).
 *
 * @example
 * windowStatus(parseWindow('Sat 02:00-06:00 UTC'), new Date('2026-12-07T10:00:00Z')) // { open: false, opensAt: 2026-12-12T02:00Z, closesAt: 2026-12-12T06:00Z }
 */
export function windowStatus(window: MaintenanceWindow, now: Date): WindowStatus {
  const base = weekStart(now);
  const minute = (now.getTime() - base) / 60_000;
  const at = (minutes: number): Date => new Date(base + minutes * 60_000);
  // This week's openings, last week's (one may run into this week) and next week's.
  const candidates = [-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK].flatMap((shift) => window.intervals.map((i) => ({ start: i.start + shift, end: i.end + shift })));
  const current = candidates.find((i) => i.start <= minute && minute < i.end);
  if (current) return { open: true, opensAt: now, closesAt: at(current.end) };
  const next = candidates.filter((i) => i.start > minute).sort((a, b) => a.start - b.start)[0];
  // Every window has an opening within a week; the guard keeps the types honest.
  if (!next) throw new WindowSyntaxError('the window never opens');
  return { open: false, opensAt: at(next.start), closesAt: at(next.end) };
}

/**
 * The window in its canonical form, itself a valid tag value: openings of the same hours grouped by day, `daily`
 * for all seven, a range for consecutive days, a `+` list otherwise.
 *
 * @example
 * describeWindow(parseWindow('sat 02:00-06:00 / sun 02:00-06:00')) // 'Sat-Sun 02:00-06:00 UTC'
 * describeWindow(parseWindow('daily 22:00-02:00')) // 'daily 22:00-02:00 UTC'
 */
export function describeWindow(window: MaintenanceWindow): string {
  const hhmm = (m: number): string => `${String(Math.floor((m % MINUTES_PER_DAY) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const groups = new Map<string, number[]>();
  for (const i of window.intervals) {
    const hours = `${hhmm(i.start)}-${i.end - i.start === MINUTES_PER_DAY - (i.start % MINUTES_PER_DAY) ? '24:00' : hhmm(i.end)}`;
    const days = groups.get(hours) ?? [];
    days.push(Math.floor(i.start / MINUTES_PER_DAY));
    groups.set(hours, days);
  }
  const daysText = (days: number[]): string => {
    const set = [...new Set(days)].sort((a, b) => a - b);
    if (set.length === 7) return 'daily';
    const consecutive = set.every((d, k) => k === 0 || d === (set[k - 1] ?? 0) + 1);
    if (consecutive && set.length > 1) return `${DAY_LABELS[set[0] ?? 0]}-${DAY_LABELS[set[set.length - 1] ?? 0]}`;
    return set.map((d) => DAY_LABELS[d]).join('+');
  };
  return [...groups.entries()].map(([hours, days]) => `${daysText(days)} ${hours} UTC`).join(' / ');
}
