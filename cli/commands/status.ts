import type { CliCommand } from '../command';
import { UsageError } from '../options';
import { readOnlyStorage } from '../readOnlyStorage';
import { freshnessSection } from '../status/freshness';
import { queuesSection } from '../status/queues';
import type { SectionReport, StatusSection } from '../status/section';

/** Its sections, in the order printed; a new one is a StatusSection (cli/status/section.ts) and a line here. */
const SECTIONS: StatusSection[] = [freshnessSection, queuesSection];

/** Exit codes beyond 0: something needs an operator; storage cannot be reached (2 is bad usage). */
const NEEDS_ATTENTION = 1;
const UNREACHABLE = 3;

/**
 * `status`: what GET /api/health reports (shared/runs/health.ts), and more, without a storage
 * explorer. Exit code 0 when all is well, 1 when a section found a problem (a current market/view is
 * stale, a refresh failed after its last success, …), 3 when storage cannot be reached.
 */
export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'health and freshness per market/view, last runs, queued work; exit code 1 when stale, failing or poisoned',
  usage: 'status [--json]',
  options: {},
  examples: [
    { command: 'status', says: 'a table per section, then the problems; exit code 0, 1 (needs attention) or 3' },
    { command: 'status --json --quiet', says: 'for a script or a monitor: the same as one JSON object' },
  ],
  async run({ positionals }, { io, openStorage }) {
    if (positionals.length > 0) throw new UsageError(`status takes no operands; got "${positionals.join(' ')}"`);
    const local = await openStorage();
    const storage = await readOnlyStorage(local);
    const { checkHealth } = await import('../../shared/runs/health');
    const now = new Date();
    const health = await checkHealth(storage, local.settings, now);
    const checked = { checkedAt: now.toISOString(), storage: health.storage };
    if (health.status === 'unavailable') {
      io.log(`Storage cannot be reached: ${health.storage.error ?? 'no answer'}`, 'error');
      io.summary('status: storage unreachable', { ok: false, status: 'unavailable', ...checked });
      return UNREACHABLE;
    }
    const context = { storage, settings: local.settings, health, now };
    const reports: [string, SectionReport][] = [];
    for (const section of SECTIONS) reports.push([section.name, await section.read(context)]);
    const problems = reports.flatMap(([, report]) => report.problems);
    const text = [
      `Storage: reachable (${health.storage.mode}); checked ${checked.checkedAt.slice(0, 16).replace('T', ' ')} UTC`,
      ...reports.flatMap(([, report]) => ['', ...report.lines]),
      '',
      ...problems.map((problem) => `! ${problem}`),
      problems.length === 0 ? 'status: ok' : `status: ${problems.length} problem(s) need attention`,
    ];
    io.summary(text.join('\n'), {
      ok: problems.length === 0,
      status: problems.length === 0 ? 'ok' : 'attention',
      ...checked,
      problems,
      ...Object.fromEntries(reports.map(([name, report]) => [name, report.data])),
    });
    return problems.length === 0 ? 0 : NEEDS_ATTENTION;
  },
};
