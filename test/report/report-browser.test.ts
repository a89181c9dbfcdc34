/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page functions below run in the browser, so this file alone sees the DOM types.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../lib/report/report-html.js';
import type { ReportCluster, RunReport } from '../../lib/report/run-report.js';
import { launchBrowser, skipBrowserTests, type TestBrowser } from '../helpers/browser.js';

// The HTML report in a real headless browser (Debian's chromium through playwright-core): it renders without a
// console error, shows every cluster, failures first, hop details without hovering and in print, the status filter
// works, and a layout guard holds the geometry (robust across font rendering: positions, not pixels).

const T0 = Date.parse('2026-12-01T03:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const HOSTILE = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

function cluster(name: string, wave: string, status: string, start: number, hops: { to: string; status: string; seconds: number; error?: string }[]): ReportCluster {
  let t = start;
  let from = 'v1.18.5-eksbuild.1';
  const madeHops = hops.map((h, i) => {
    const hop = { index: i + 1, fromVersion: from, version: h.to, kind: 'minor', status: h.status, updateId: `upd-${name}-${i + 1}`, polls: 2, startedAt: at(t), endedAt: at(t + h.seconds), error: h.error ? { name: 'AddonUpdateFailedError', message: h.error, code: 'ConfigurationConflict' } : null };
    t += h.seconds + 10;
    from = h.to;
    return hop;
  });
  const reached = [...madeHops].reverse().find((h) => h.status === 'SUCCEEDED')?.version ?? 'v1.18.5-eksbuild.1';
  return {
    name,
    region: 'us-east-1',
    accountId: '111122223333',
    wave,
    from: 'v1.18.5-eksbuild.1',
    to: 'v1.21.1-eksbuild.8',
    reached,
    status,
    startedAt: at(start),
    endedAt: at(t),
    hops: madeHops,
    plannedHops: [],
    error: status === 'FAILED' ? { name: 'AddonUpdateFailedError', message: hops.at(-1)?.error ?? 'failed' } : status === 'SKIPPED' ? { name: 'ClusterSkippedError', message: 'opted out by tag cni-fleet/skip=true' } : null,
    final: { addonVersion: null, status: null, configurationValues: null, serviceAccountRoleArn: null },
  };
}

const ok = (to: string, seconds = 70) => ({ to, status: 'SUCCEEDED', seconds });
const CLUSTERS: ReportCluster[] = [
  cluster('canary-1', 'canary', 'UPGRADED', 0, [ok('v1.19.6-eksbuild.7'), ok('v1.20.5-eksbuild.1'), ok('v1.21.1-eksbuild.8')]),
  cluster('prod-a', '1', 'UPGRADED', 300, [ok('v1.19.6-eksbuild.7'), ok('v1.20.5-eksbuild.1'), ok('v1.21.1-eksbuild.8')]),
  cluster('prod-b', '1', 'FAILED', 300, [ok('v1.19.6-eksbuild.7'), { to: 'v1.20.5-eksbuild.1', status: 'FAILED', seconds: 60, error: `Conflicts found ${HOSTILE}` }]),
  cluster('dev-a', '', 'UPGRADED', 600, [ok('v1.19.6-eksbuild.7', 90), ok('v1.20.5-eksbuild.1', 90), ok('v1.21.1-eksbuild.8', 90)]),
  cluster('dev-b', '', 'UNCHANGED', 600, []),
  cluster('dev-c', '', 'SKIPPED', 600, []),
  cluster('dev-d', '', 'UPGRADED', 620, [ok('v1.19.6-eksbuild.7'), { to: 'v1.20.5-eksbuild.1', status: 'TIMED_OUT', seconds: 200 }, ok('v1.20.5-eksbuild.1')]),
];
const REPORT: RunReport = {
  runId: 'weekly-2026-49',
  kind: 'run',
  source: 'table cni-fleet-prod-progress',
  dryRun: false,
  status: 'FAILED',
  clusters: CLUSTERS,
  byStatus: { UPGRADED: 4, FAILED: 1, UNCHANGED: 1, SKIPPED: 1 },
  hops: 11,
  facts: ['trigger schedule'],
};

describe.skipIf(skipBrowserTests)('the HTML report in headless chromium', () => {
  let dir: string;
  let browser: TestBrowser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-report-'));
    const file = join(dir, 'report.html');
    await writeFile(file, renderReportHtml(REPORT, new Date('2026-12-01T04:00:00Z')));
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(e.message));
    // A self-contained file: any request other than the page itself is a defect.
    page.on('request', (r) => void (r.url() !== pathToFileURL(file).href && errors.push(`request ${r.url()}`)));
    await page.goto(pathToFileURL(file).href);
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders without console errors or requests, and no markup from EKS text runs', async () => {
    // Assess
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(1);
    await expect(page.locator('tr.cluster[data-status="FAILED"] .err').first().textContent()).resolves.toContain('<script>window.__pwned = true</script>');
  });

  it('shows every cluster, failures first', async () => {
    // Act
    const rows = await page.locator('tr.cluster').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('.name')?.textContent, tr.getAttribute('data-status')]));

    // Assess
    expect(rows).toHaveLength(CLUSTERS.length);
    expect(rows[0]).toEqual(['prod-b', 'FAILED']);
    expect(rows.map((r) => r[0]).sort()).toEqual(CLUSTERS.map((c) => c.name).sort());
    for (const row of await page.locator('tr.cluster').all()) expect(await row.isVisible()).toBe(true);
  });

  it('shows each hop\'s details without hovering: versions, times, polls, update id', async () => {
    // Act
    const hop = page.locator('tr.cluster', { hasText: 'dev-d' }).locator('ol.hops li').nth(1);

    // Assess
    expect(await hop.isVisible()).toBe(true);
    expect(await hop.textContent()).toMatch(/v1\.19\.6-eksbuild\.7 → v1\.20\.5-eksbuild\.1 TIMED_OUT 03:11:40–03:15:00, 200 s, 2 polls, update upd-dev-d-2/);
  });

  it('has a time axis of real timestamps, a band per wave and a legend', async () => {
    // Act
    const ticks = await page.locator('#axis .tick span').allTextContents();
    const bands = await page.locator('#waves .band').allTextContents();

    // Assess
    expect(await page.locator('thead th').nth(3).textContent()).toContain('Hops on a time axis: 2026-12-01, 03:00:00 to 03:16:30 UTC');
    expect(ticks[0]).toBe('03:00:00');
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((t) => /^\d{2}:\d{2}:\d{2}$/.test(t))).toBe(true);
    expect(bands).toEqual(['wave canary · 1', 'wave 1 · 2', 'wave untagged · 4']);
    expect(await page.locator('#legend').isVisible()).toBe(true);
  });

  it('shows SKIPPED in a neutral grey, FAILED in red', async () => {
    // Act
    const color = (status: string) => page.locator(`tr.cluster[data-status="${status}"] .chip`).first().evaluate((e) => getComputedStyle(e).backgroundColor);

    // Assess
    expect(await color('SKIPPED')).toBe('rgb(138, 143, 152)');
    expect(await color('FAILED')).toBe('rgb(198, 40, 40)');
  });

  it('filters by status, and prints every cluster with the filter hidden', async () => {
    // Act
    await page.locator('#filter input[data-status="UPGRADED"]').uncheck();
    const shown = await page.locator('tr.cluster:visible').count();
    await page.emulateMedia({ media: 'print' });
    const printed = await page.locator('tr.cluster:visible').count();
    const filterPrinted = await page.locator('#filter').isVisible();
    await page.emulateMedia({ media: 'screen' });
    await page.locator('#filter input[data-status="UPGRADED"]').check();

    // Assess
    expect(shown).toBe(CLUSTERS.length - 4);
    expect(printed).toBe(CLUSTERS.length);
    expect(filterPrinted).toBe(false);
  });

  it('keeps its layout: lanes under the axis, bars in their lane and in time order, no overflow, rows apart', async () => {
    // Act
    const layout = await page.evaluate(() => {
      const box = (e: Element) => e.getBoundingClientRect();
      const axis = box(document.querySelector('#axis')!);
      const lanes = [...document.querySelectorAll('tr.cluster .lane')].map((lane) => ({ lane: box(lane), bars: [...lane.querySelectorAll('.bar')].map(box) }));
      const bands = [...document.querySelectorAll('#waves .band')].map(box);
      const rows = [...document.querySelectorAll('tr.cluster')].map(box);
      const ticks = [...document.querySelectorAll('#axis .tick span')].map(box);
      return { axis, lanes, bands, rows, ticks, scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth };
    });

    // Assess
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
    expect(layout.axis.width).toBeGreaterThan(400);
    for (const { lane, bars } of layout.lanes) {
      expect(Math.abs(lane.left - layout.axis.left)).toBeLessThanOrEqual(1);
      expect(Math.abs(lane.width - layout.axis.width)).toBeLessThanOrEqual(1);
      for (const bar of bars) {
        expect(bar.left).toBeGreaterThanOrEqual(lane.left - 1);
        expect(bar.right).toBeLessThanOrEqual(lane.right + 1);
        expect(bar.top).toBeGreaterThanOrEqual(lane.top);
        expect(bar.bottom).toBeLessThanOrEqual(lane.bottom);
      }
      for (let i = 1; i < bars.length; i++) expect(bars[i]!.left).toBeGreaterThanOrEqual(bars[i - 1]!.right - 1);
    }
    // Waves run one after the other: each band starts where the previous ended or later, and none leaves the axis.
    for (let i = 0; i < layout.bands.length; i++) {
      expect(layout.bands[i]!.left).toBeGreaterThanOrEqual(layout.axis.left - 1);
      expect(layout.bands[i]!.right).toBeLessThanOrEqual(layout.axis.right + 1);
      if (i > 0) expect(layout.bands[i]!.top).toBeGreaterThanOrEqual(layout.bands[i - 1]!.bottom - 1);
    }
    for (let i = 1; i < layout.rows.length; i++) expect(layout.rows[i]!.top).toBeGreaterThanOrEqual(layout.rows[i - 1]!.bottom - 1);
    // Tick labels never overlap.
    for (let i = 1; i < layout.ticks.length; i++) expect(layout.ticks[i]!.left).toBeGreaterThanOrEqual(layout.ticks[i - 1]!.right);
  });

  it('shows a dry run\'s planned path, and no time axis', async () => {
    // Prepare
    const planned = CLUSTERS.map((c) => ({ ...c, status: c.name === 'dev-b' ? 'UNCHANGED' : 'PLANNED', hops: [], error: null, plannedHops: c.name === 'dev-b' ? [] : [{ index: 1, from: 'v1.18.5-eksbuild.1', to: 'v1.19.6-eksbuild.7', kind: 'minor' }, { index: 2, from: 'v1.19.6-eksbuild.7', to: 'v1.20.5-eksbuild.1', kind: 'minor' }] }));
    const file = join(dir, 'dry.html');
    await writeFile(file, renderReportHtml({ ...REPORT, dryRun: true, clusters: planned, byStatus: { PLANNED: 6, UNCHANGED: 1 }, hops: 0 }));
    const dry = await browser.context.newPage();
    const problems: string[] = [];
    dry.on('pageerror', (e) => void problems.push(e.message));
    dry.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));

    // Act
    await dry.goto(pathToFileURL(file).href);
    const path = await dry.locator('tr.cluster', { hasText: 'prod-a' }).locator('.path .v').allTextContents();
    const unchanged = await dry.locator('tr.cluster', { hasText: 'dev-b' }).locator('.empty').textContent();

    // Assess
    expect(problems).toEqual([]);
    expect(await dry.locator('h1').textContent()).toContain('(dry run)');
    expect(path).toEqual(['v1.18.5-eksbuild.1', 'v1.19.6-eksbuild.7', 'v1.20.5-eksbuild.1']);
    expect(unchanged).toBe('no hop needed');
    expect(await dry.locator('#axis').count()).toBe(0);
    await dry.close();
  });
});
