import escapeHtml from 'escape-html';
import type { Digest, DigestCounts, DigestRow, DigestSection } from './digest';

/**
 * A digest as HTML (a standalone page), Markdown and a Microsoft Teams message with an Adaptive
 * Card. Every value comes from price sheets (product titles are data) and is escaped for its
 * format: HTML with `escape-html`; Markdown by hand (no maintained npm package escapes Markdown
 * text for tables: a backslash before every punctuation character Markdown gives a meaning to,
 * and `|` inside cells); the card's TextBlocks get the same Markdown escaping (Teams renders a
 * Markdown subset there) and FactSets plain text.
 */

const COUNT_LABELS: [keyof DigestCounts, string][] = [
  ['ADD', 'new'],
  ['CHG', 'changed'],
  ['DEL', 'removed'],
];

const priceText = (price: string | null, currency: string) => (price === null ? '—' : `${price} ${currency}`);
const percentText = (row: DigestRow) =>
  row.percent === null ? '' : `${row.percent.startsWith('-') ? '' : '+'}${row.percent} %`;
const itemText = (row: DigestRow) => `${row.productTitle} — ${row.skuTitle} (${row.productId}/${row.skuId})`;

function totals(digest: Digest): DigestCounts {
  const sum: DigestCounts = { ADD: 0, CHG: 0, DEL: 0 };
  for (const section of digest.sections) for (const [code] of COUNT_LABELS) sum[code] += section.counts[code];
  return sum;
}

// --- HTML ---

const e = (text: string) => escapeHtml(text);

function htmlTable(caption: string, rows: DigestRow[], withChange: boolean): string {
  if (rows.length === 0) return '';
  const head = `<tr><th>Item</th><th>Before</th><th>After</th>${withChange ? '<th>Change</th>' : ''}<th>From</th></tr>`;
  const body = rows
    .map(
      (row) =>
        `<tr><td>${e(itemText(row))}</td><td class="n">${e(priceText(row.before, row.currency))}</td>` +
        `<td class="n">${e(priceText(row.after, row.currency))}</td>` +
        `${withChange ? `<td class="n">${e(percentText(row))}</td>` : ''}<td>${e(row.effectiveStartDate.slice(0, 10))}</td></tr>`,
    )
    .join('\n');
  return `<table><caption>${e(caption)}</caption>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody></table>`;
}

function htmlSection(section: DigestSection): string {
  const counts = COUNT_LABELS.map(([code, label]) => `<li><b>${code}</b> ${label}: ${section.counts[code]}</li>`).join(
    '',
  );
  const preview = section.preview
    ? `<h3>Next month (preview list of ${e(section.preview.fetched)})</h3><ul class="counts">${COUNT_LABELS.map(
        ([code, label]) => `<li><b>${code}</b> ${label}: ${section.preview!.counts[code]}</li>`,
      ).join('')}</ul>${htmlTable('Taking effect next month', section.preview.items, true)}`
    : '';
  return [
    `<section><h2>${e(section.market)} · ${e(section.view)}</h2>`,
    `<p class="sub">${e(section.snapshots.before)} → ${e(section.snapshots.after)}</p>`,
    `<ul class="counts">${counts}</ul>`,
    htmlTable('Largest increases', section.increases, true),
    htmlTable('Largest decreases', section.decreases, true),
    htmlTable('New', section.added, false),
    htmlTable('Removed', section.removed, false),
    preview,
    '</section>',
  ].join('\n');
}

export function digestHtml(digest: Digest): string {
  const title = `Price changes ${digest.day} — ${digest.name}`;
  const body = digest.sections.length
    ? digest.sections.map(htmlSection).join('\n')
    : '<p>No price list of this subscription changed on this day.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;margin:1rem 0;min-width:40rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
ul.counts{display:flex;gap:1.5rem;list-style:none;padding:0}
.sub{color:#555}
</style></head>
<body>
<h1>${e(title)}</h1>
<p class="sub">UTC day ${e(digest.day)} · ${COUNT_LABELS.map(([code]) => `${code} ${totals(digest)[code]}`).join(' · ')}</p>
${body}
</body></html>
`;
}

// --- Markdown ---

/** Backslash before Markdown punctuation; `|` too (table cells); line breaks become spaces. */
const md = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&').replace(/\s*\n\s*/g, ' ');

function mdTable(caption: string, rows: DigestRow[], withChange: boolean): string {
  if (rows.length === 0) return '';
  const header = withChange
    ? '| Item | Before | After | Change | From |\n|---|---:|---:|---:|---|'
    : '| Item | Before | After | From |\n|---|---:|---:|---|';
  const lines = rows.map(
    (row) =>
      `| ${md(itemText(row))} | ${md(priceText(row.before, row.currency))} | ${md(priceText(row.after, row.currency))} |` +
      `${withChange ? ` ${md(percentText(row))} |` : ''} ${md(row.effectiveStartDate.slice(0, 10))} |`,
  );
  return `**${caption}**\n\n${header}\n${lines.join('\n')}\n`;
}

export function digestMarkdown(digest: Digest): string {
  const counts = (c: DigestCounts) => COUNT_LABELS.map(([code, label]) => `${code} ${label}: ${c[code]}`).join(' · ');
  const parts = [
    `# Price changes ${md(digest.day)} — ${md(digest.name)}`,
    '',
    `UTC day ${md(digest.day)} · ${counts(totals(digest))}`,
    '',
  ];
  if (digest.sections.length === 0) parts.push('No price list of this subscription changed on this day.', '');
  for (const section of digest.sections) {
    parts.push(
      `## ${md(section.market)} · ${md(section.view)}`,
      '',
      `${md(section.snapshots.before)} → ${md(section.snapshots.after)} · ${counts(section.counts)}`,
      '',
    );
    for (const table of [
      mdTable('Largest increases', section.increases, true),
      mdTable('Largest decreases', section.decreases, true),
      mdTable('New', section.added, false),
      mdTable('Removed', section.removed, false),
    ])
      if (table) parts.push(table);
    if (section.preview) {
      parts.push(
        `### Next month (preview list of ${md(section.preview.fetched)})`,
        '',
        counts(section.preview.counts),
        '',
      );
      const table = mdTable('Taking effect next month', section.preview.items, true);
      if (table) parts.push(table);
    }
  }
  return parts.join('\n');
}

// --- Teams: a message with an Adaptive Card, as a Teams Workflows webhook takes it ---

function cardFacts(rows: DigestRow[], withChange: boolean) {
  return {
    type: 'FactSet',
    facts: rows.map((row) => ({
      title: itemText(row),
      value: `${priceText(row.before, row.currency)} → ${priceText(row.after, row.currency)}${withChange && row.percent !== null ? ` (${percentText(row)})` : ''}`,
    })),
  };
}

export function digestTeamsMessage(digest: Digest): Record<string, unknown> {
  const text = (value: string, extra: Record<string, unknown> = {}) => ({
    type: 'TextBlock',
    text: md(value),
    wrap: true,
    ...extra,
  });
  const body: Record<string, unknown>[] = [
    text(`Price changes ${digest.day} — ${digest.name}`, { size: 'Large', weight: 'Bolder' }),
    text(COUNT_LABELS.map(([code, label]) => `${code} ${label}: ${totals(digest)[code]}`).join(' · '), {
      isSubtle: true,
    }),
  ];
  if (digest.sections.length === 0) body.push(text('No price list of this subscription changed on this day.'));
  for (const section of digest.sections) {
    body.push(
      text(`${section.market} · ${section.view} (${section.snapshots.before} → ${section.snapshots.after})`, {
        weight: 'Bolder',
        separator: true,
      }),
      {
        type: 'FactSet',
        facts: COUNT_LABELS.map(([code, label]) => ({
          title: `${code} ${label}`,
          value: String(section.counts[code]),
        })),
      },
    );
    for (const [caption, rows, withChange] of [
      ['Largest increases', section.increases, true],
      ['Largest decreases', section.decreases, true],
      ['New', section.added, false],
      ['Removed', section.removed, false],
      ['Taking effect next month', section.preview?.items ?? [], true],
    ] as const) {
      if (rows.length) body.push(text(caption, { weight: 'Bolder' }), cardFacts([...rows], withChange));
    }
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}
