import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createLogger, memorySink } from '../../../shared/observability/logger';
import { buildDigest } from '../../../shared/notifications/digest';
import { digestHtml, digestMarkdown } from '../../../shared/notifications/digestRender';
import { listDigests, readDigest, sendDigests } from '../../../shared/notifications/digestStore';
import { listEvents } from '../../../shared/notifications/outbox';
import { createSubscription } from '../../../shared/notifications/subscriptionStore';
import { runNotifications } from '../../../shared/notifications/worker';
import { ingestSheet, LICENSE_HEADER, licenseRow } from '../../helpers/apiFixtures';
import { consumptionRow, meterId } from '../../helpers/priceSheets';
import { testStorage } from '../../helpers/storage';
import { startWebhookReceiver, type WebhookReceiver } from '../../fakes/webhookReceiver';

jest.setTimeout(60_000);

/** A product title that is data, not markup. */
const HOSTILE = 'Fabrikam <script>window.__pwned = 1</script> & "Co" | *bold*';
const meter = (n: number) => meterId(0x16400 + n);
const day1 = Array.from({ length: 12 }, (_, i) =>
  consumptionRow({
    ProductId: 'DIGEST000001',
    MeterIds: meter(i),
    UnitPrice: '10.000000',
    ProductTitle: i === 0 ? HOSTILE : 'Virtual Machines',
  }),
);
const newVersion = (row: (typeof day1)[number], price: string) => [
  row,
  { ...row, UnitPrice: price, EffectiveStartDate: '2026-11-02T00:00:00.0000000Z' },
];
/** Day 2: meter 0 +25 %, meter 1 +5 %, meter 2 −10 %, meter 3 removed, meter 20 new. */
const day2 = [
  ...newVersion(day1[0], '12.500000'),
  ...newVersion(day1[1], '10.500000'),
  ...newVersion(day1[2], '9.000000'),
  ...day1.slice(4),
  consumptionRow({ ProductId: 'DIGEST000001', MeterIds: meter(20), UnitPrice: '3.25' }),
];

describe('daily digest', () => {
  const { settings, storage } = testStorage({ NOTIFY_ALLOW_LOOPBACK_HTTP: 'true' });
  const ctx = { storage, settings, logger: createLogger(memorySink()) };
  let receiver: WebhookReceiver;
  let browser: Browser;
  let userDataDir: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    await ingestSheet(storage, settings, day1, { asOf: '2026-11-01' });
    await ingestSheet(storage, settings, day2, { asOf: '2026-11-02' });
    const license = [licenseRow({ SkuId: '0001', UnitPrice: '100' }), licenseRow({ SkuId: '0002', UnitPrice: '200' })];
    await ingestSheet(storage, settings, license, {
      market: 'DE',
      view: 'updatedlicensebased',
      asOf: '2026-11-01',
      header: LICENSE_HEADER,
    });
    await ingestSheet(storage, settings, license, {
      market: 'DE',
      view: 'updatedlicensebased',
      asOf: '2026-11-02',
      header: LICENSE_HEADER,
    });
    const preview = [
      licenseRow({ SkuId: '0001', UnitPrice: '110', EffectiveStartDate: '2026-12-01T00:00:00.0000000Z' }),
      licenseRow({ SkuId: '0002', UnitPrice: '200' }),
    ];
    await ingestSheet(storage, settings, preview, {
      market: 'DE',
      view: 'updatedlicensebased',
      asOf: '2026-11-02',
      timeline: 'future',
      header: LICENSE_HEADER,
    });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
    browser = await puppeteer.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      userDataDir,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('counts by code, lists the largest increases and decreases, new, removed and next month’s preview', async () => {
    const { subscription } = await createSubscription(storage, {
      name: 'all',
      destination: { kind: 'webhook', url: `${receiver.url}/events` },
      filters: {},
      digest: {},
    });
    const digest = await buildDigest(storage, subscription, '2026-11-02');
    expect(digest.sections.map((s) => `${s.market}/${s.view}`)).toEqual([
      'DE/updatedlicensebased',
      'US/azure_consumption',
    ]);
    const [license, consumption] = digest.sections;
    expect(consumption.counts).toEqual({ ADD: 1, CHG: 3, DEL: 1 });
    expect(consumption.increases.map((r) => [r.meterId, r.before, r.after, r.percent])).toEqual([
      [meter(0), '10.000000', '12.500000', '25.00'],
      [meter(1), '10.000000', '10.500000', '5.00'],
    ]);
    expect(consumption.decreases.map((r) => [r.meterId, r.percent])).toEqual([[meter(2), '-10.00']]);
    expect(consumption.added.map((r) => [r.meterId, r.after])).toEqual([[meter(20), '3.25']]);
    expect(consumption.removed.map((r) => r.meterId)).toEqual([meter(3)]);
    expect(consumption.preview).toBeNull();
    expect(license.counts).toEqual({ ADD: 0, CHG: 0, DEL: 0 });
    expect(license.preview).toMatchObject({
      counts: { ADD: 0, CHG: 1, DEL: 0 },
      items: [{ code: 'CHG', skuId: '0001', before: '100', after: '110', percent: '10.00' }],
    });
    // A CHG threshold narrows the digest as it narrows events.
    const rises = { ...subscription, filters: { changePercent: { min: '10', direction: 'increase' as const } } };
    const narrowed = await buildDigest(storage, rises, '2026-11-02');
    expect(narrowed.sections[1].counts).toEqual({ ADD: 1, CHG: 1, DEL: 1 });
  });

  it('renders HTML that Chromium shows as text, escaped, with every figure', async () => {
    const { subscription } = await createSubscription(storage, {
      name: 'US <b>only</b>',
      destination: { kind: 'webhook', url: `${receiver.url}/events` },
      filters: { markets: ['US'] },
      digest: {},
    });
    const html = digestHtml(await buildDigest(storage, subscription, '2026-11-02'));
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(true);
    await page.setContent(html, { waitUntil: 'load' });
    // Expressions as text: the test project compiles without the DOM types.
    const text = (await page.evaluate('document.body.innerText')) as string;
    // The hostile title is shown as written, and its script never ran.
    expect(text).toContain(HOSTILE);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.title()).toBe('Price changes 2026-11-02 — US <b>only</b>');
    expect(text).toContain('ADD new: 1');
    expect(text).toContain('CHG changed: 3');
    expect(text).toContain('DEL removed: 1');
    const tables = await page.$$eval('table', (all) =>
      all.map((table) => ({
        caption: table.caption?.innerText,
        rows: [...table.tBodies[0].rows].map((row) => [...row.cells].map((cell) => cell.innerText)),
      })),
    );
    expect(tables.map((t) => t.caption)).toEqual(['Largest increases', 'Largest decreases', 'New', 'Removed']);
    expect(tables[0].rows[0]).toEqual([
      `${HOSTILE} — D2 v3 (DIGEST000001/00JX)`,
      '10.000000 USD',
      '12.500000 USD',
      '+25.00 %',
      '2026-11-02',
    ]);
    expect(tables[1].rows.map((row) => row[3])).toEqual(['-10.00 %']);
    expect(tables[2].rows.map((row) => row[2])).toEqual(['3.25 USD']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digest-shot-'));
    const file = path.join(dir, 'digest.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = fs.readFileSync(file);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(5000);
    await page.close();
    // Markdown escapes the same title, so no table cell breaks and no emphasis appears.
    const markdown = digestMarkdown(await buildDigest(storage, subscription, '2026-11-02'));
    expect(markdown).toContain('Fabrikam \\<script\\>window\\.\\_\\_pwned = 1\\</script\\> & "Co" \\| \\*bold\\*');
  });

  it('stores the day’s digests for /api/digests and sends Teams an Adaptive Card once', async () => {
    const { subscription } = await createSubscription(storage, {
      name: 'teams',
      destination: { kind: 'webhook', url: `${receiver.url}/events` },
      filters: { markets: ['US'], codes: ['CHG'] },
      digest: { teamsUrl: `${receiver.url}/teams?sig=teams-signature` },
    });
    await sendDigests(ctx, '2026-11-02');
    await sendDigests(ctx, '2026-11-02');
    await runNotifications(ctx, { drainSeconds: 5 });
    const teams = receiver.accepted.filter((r) => r.path.startsWith('/teams'));
    expect(teams).toHaveLength(1);
    expect(teams[0].headers['content-type']).toBe('application/json');
    const message = JSON.parse(teams[0].body);
    expect(message).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            version: '1.4',
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          },
        },
      ],
    });
    const card = message.attachments[0].content;
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: 'Price changes 2026\\-11\\-02 — teams' });
    const facts = card.body
      .filter((b: { type: string }) => b.type === 'FactSet')
      .flatMap((b: { facts: unknown[] }) => b.facts);
    expect(facts).toContainEqual({ title: 'CHG changed', value: '3' });
    expect(facts).toContainEqual({ title: 'ADD new', value: '0' });

    const stored = await listDigests(storage, subscription.id);
    expect(stored).toEqual([{ subscriptionId: subscription.id, day: '2026-11-02', formats: ['html', 'markdown'] }]);
    expect((await readDigest(storage, subscription.id, '2026-11-02', 'markdown'))?.text).toContain('CHG changed: 3');
    // Besides its events (the worker's first run notifies the newest snapshots), one digest.
    const events = (await listEvents(storage, { subscriptionId: subscription.id })).filter((e) => e.code === 'DIGEST');
    expect(events.map((e) => [e.rowKey, e.state, e.code])).toEqual([
      [`digest.${subscription.id}.2026-11-02`, 'delivered', 'DIGEST'],
    ]);
  });
});
