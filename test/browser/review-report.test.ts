/**
 * The review report in a real browser: Debian's headless Chromium driven by playwright-core
 * (no browser download). One browser for the file; each page is checked for console errors and
 * for any request other than the report file itself.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeFleetSnapshot } from '../../bench/support/snapshot-fleet';
import { DEFAULT_CONFIG } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../lambdas/core/fleet/model';
import { parseSnapshotText } from '../../lambdas/core/fleet/snapshot';
import { runCli } from '../support/cli';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DEMO = 'examples/demo-fleet.json';

interface Opened {
  readonly page: Page;
  readonly requests: string[];
  readonly errors: string[];
}

/** Every database the snapshot describes or a replication link names, as region/id. */
function expectedDatabases(snapshot: FleetSnapshot): Set<string> {
  const out = new Set<string>();
  for (const [region, data] of Object.entries(snapshot.regions)) {
    for (const db of data.dbInstances ?? []) out.add(`${region}/${db.DBInstanceIdentifier}`);
    for (const c of data.dbClusters ?? []) out.add(`${region}/${c.DBClusterIdentifier}`);
  }
  for (const r of evaluate(snapshot, { config: DEFAULT_CONFIG }).replicas) {
    out.add(`${r.region}/${r.id}`);
    out.add(`${r.sourceRegion}/${r.sourceId}`);
  }
  return out;
}

const expectedLinks = (snapshot: FleetSnapshot) =>
  evaluate(snapshot, { config: DEFAULT_CONFIG })
    .replicas.map((r) => `${r.sourceRegion}/${r.sourceId} -> ${r.region}/${r.id}`)
    .sort();

interface PageRect {
  readonly x: { baseVal: { value: number } };
  readonly y: { baseVal: { value: number } };
  readonly width: { baseVal: { value: number } };
  readonly height: { baseVal: { value: number } };
  readonly parentElement: { getAttribute(name: string): string | null; textContent: string | null } | null;
}

/** Pairs of database boxes (and cross-region tags) that overlap, found in the page. */
function overlapsInPage(page: Page): Promise<string[]> {
  // The test build has no DOM types: the page's objects are typed loosely here.
  return page.evaluate(() => {
    const doc = (globalThis as { document?: { querySelectorAll(s: string): ArrayLike<PageRect> } }).document!;
    const boxes = Array.from(doc.querySelectorAll('svg.topology g.node > rect, svg.topology .stub > rect')).map((r) => {
      const label = (r.parentElement?.getAttribute('data-id') ?? r.parentElement?.textContent ?? '').trim();
      return { x: r.x.baseVal.value, y: r.y.baseVal.value, w: r.width.baseVal.value, h: r.height.baseVal.value, label };
    });
    boxes.sort((a, b) => a.x - b.x);
    const found: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i]!;
      for (let j = i + 1; j < boxes.length && boxes[j]!.x < a.x + a.w; j++) {
        const b = boxes[j]!;
        if (b.y < a.y + a.h && a.y < b.y + b.h) found.push(`${a.label} / ${b.label}`);
      }
    }
    return found;
  });
}

describe('replguard report in headless Chromium', { timeout: 180_000 }, () => {
  let context: BrowserContext;
  let dir: string;
  const demoSnapshot = parseSnapshotText(readFileSync(DEMO, 'utf8'), DEMO);
  const large = largeFleetSnapshot();

  async function open(file: string): Promise<Opened> {
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, requests, errors };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replguard-report-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 1500 },
    });
    // Anything that leaves the machine is recorded by the page listener and refused here.
    await context.route(/^(https?|wss?|ftp):/, (route) => route.abort());
    writeFileSync(join(dir, 'large.json'), JSON.stringify(large));
    const demo = await runCli(['report', '--snapshot', DEMO, '--out', join(dir, 'demo.html')]);
    const big = await runCli(['report', '--snapshot', join(dir, 'large.json'), '--out', join(dir, 'large.html')]);
    expect([demo.code, demo.stderr, big.code, big.stderr]).toEqual([0, expect.any(String), 0, expect.any(String)]);
  });

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each([
    ['the demo fleet', 'demo.html', () => demoSnapshot],
    ['a 1,000-replica fleet', 'large.html', () => large],
  ])('%s', (_name, file, snapshotOf) => {
    let opened: Opened;
    beforeAll(async () => {
      opened = await open(join(dir, file));
    });
    afterAll(async () => {
      await opened?.page.close();
    });

    it('draws a node per database and an edge per replication link', async () => {
      // Act
      const nodes = await opened.page.$$eval('svg.topology g.node', (els) =>
        els.map((el) => `${el.getAttribute('data-region')}/${el.getAttribute('data-id')}`),
      );
      const edges = await opened.page.$$eval('svg.topology g.edge', (els) =>
        els.map((el) => `${el.getAttribute('data-from')} -> ${el.getAttribute('data-to')}`),
      );

      // Assess
      const expected = expectedDatabases(snapshotOf());
      expect(nodes.length).toBe(expected.size);
      expect(new Set(nodes)).toEqual(expected);
      expect(edges.sort()).toEqual(expectedLinks(snapshotOf()));
    });

    it('places no database box over another', async () => {
      // Act
      const overlaps = await overlapsInPage(opened.page);

      // Assess
      expect(overlaps).toEqual([]);
    });

    it('search by identifier leaves only the matching replica visible', async () => {
      // Prepare
      const rows = opened.page.locator('#replicas tr[data-search]');
      const total = await rows.count();
      const target = await rows.nth(Math.floor(total / 2)).getAttribute('data-search');

      // Act
      await opened.page.fill('#search', target!.toUpperCase());

      // Assess
      const visible = opened.page.locator('#replicas tr[data-search]:visible');
      const ids = await visible.evaluateAll((els) => els.map((el) => el.getAttribute('data-search')));
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => id!.includes(target!))).toBe(true);
      expect(ids).toContain(target);
      expect(total).toBeGreaterThan(ids.length);
      expect(await opened.page.locator('#search-count').textContent()).toBe(`${ids.length} ${ids.length === 1 ? 'replica matches' : 'replicas match'}`);
      expect(await opened.page.locator(`svg.topology g.node.match[data-id="${target}"]`).count()).toBe(1);

      // Clearing the box shows every row again.
      await opened.page.fill('#search', '');
      expect(await opened.page.locator('#replicas tr[data-search][hidden]').count()).toBe(0);
    });

    it('loads nothing but the file and logs no error', () => {
      expect(opened.requests).toEqual([pathToFileURL(join(dir, file)).href]);
      expect(opened.errors).toEqual([]);
    });
  });

  it('prints every region open, without the search box', async () => {
    // Prepare: close a region, as a reader would.
    const { page, errors } = await open(join(dir, 'demo.html'));
    await page.locator('details.region[open] > summary').first().click();
    expect(await page.locator('details.region:not([open])').count()).toBeGreaterThan(0);

    // Act
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => (globalThis as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('beforeprint')));

    // Assess
    expect(await page.locator('details.region:not([open])').count()).toBe(0);
    expect(await page.locator('.search').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  // The docs' picture is refreshed on request (UPDATE_SCREENSHOTS=1), so a test run leaves the checkout clean.
  it('renders the screenshot the docs show', async () => {
    // Prepare
    const { page, errors } = await open(join(dir, 'demo.html'));
    const target = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/images/report-demo.png' : join(dir, 'report-demo.png');
    mkdirSync(dirname(target), { recursive: true });

    // Act
    await page.screenshot({ path: target, fullPage: false });

    // Assess
    const png = readFileSync(target);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders hostile AWS text as text, never as markup', async () => {
    // Prepare: an identifier, a status message and a tag value that try to inject markup and script.
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const snapshot = JSON.parse(readFileSync(DEMO, 'utf8'));
    const db = snapshot.regions['us-east-1'].dbInstances.find((d: { DBInstanceIdentifier: string }) => d.DBInstanceIdentifier === 'billing-mariadb-ro-1');
    db.StatusInfos[0].Message = `</script><script>window.__pwned=2</script>${hostile}`;
    db.TagList = [...(db.TagList ?? []), { Key: 'note', Value: hostile }];
    snapshot.regions['us-east-1'].dbInstances.push({
      ...db,
      DBInstanceIdentifier: `evil"><svg onload="window.__pwned=3">`,
      StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: hostile }],
    });
    const input = join(dir, 'hostile.json');
    writeFileSync(input, JSON.stringify(snapshot));
    const result = await runCli(['report', '--snapshot', input, '--out', join(dir, 'hostile.html')]);
    expect(result.code).toBe(0);

    // Act
    const { page, errors, requests } = await open(join(dir, 'hostile.html'));

    // Assess
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#findings').textContent()).toContain('</script><script>window.__pwned=2</script>');
    expect(await page.locator('svg.topology g.node[data-id^="evil"]').count()).toBe(1);
    expect(requests).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
