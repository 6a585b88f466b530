import type { FreshnessEntry } from '../../shared/runs/health';
import type { RunRecord } from '../../shared/runs/ledger';
import { formatTable, shortText, type Column } from '../table';
import type { StatusSection } from './section';

/**
 * Per market/view/timeline: freshness as GET /api/health computes it (the last current refresh, its
 * age, a failed refresh after it), and the last successful run of any kind (an ingest, an upload, a
 * backfill) from the ledger. A current market/view that is stale is a problem, as is any whose last
 * refresh failed after its last success — stricter than /api/health, whose status stays "ok" then.
 */

type Row = FreshnessEntry & { lastSuccessfulRun: Pick<RunRecord, 'kind' | 'asOf' | 'startedAt' | 'runId'> | null };

const place = (row: Pick<RunRecord, 'market' | 'view' | 'timeline'>) =>
  `${row.market}/${row.view}${row.timeline === 'current' ? '' : ` (${row.timeline})`}`;

/** An instant as people read it in UTC, to the minute. */
const minute = (instant: string) => `${instant.slice(0, 16).replace('T', ' ')}`;

function state(row: Row): string {
  const states = [row.stale && row.timeline === 'current' ? 'STALE' : '', row.lastFailure ? 'FAILING' : ''];
  return states.filter(Boolean).join(', ') || 'ok';
}

const COLUMNS: Column<Row>[] = [
  { title: 'MARKET/VIEW', value: place },
  { title: 'STATE', value: state },
  { title: 'LAST REFRESH (UTC)', value: (row) => (row.lastSuccess ? minute(row.lastSuccess.at) : 'never') },
  { title: 'AS OF', value: (row) => row.asOf ?? '-' },
  { title: 'AGE (H)', value: (row) => (row.ageHours === null ? '-' : row.ageHours.toFixed(1)), right: true },
  {
    title: 'LAST SUCCESS, ANY KIND',
    value: (row) =>
      row.lastSuccessfulRun
        ? `${row.lastSuccessfulRun.kind} as of ${row.lastSuccessfulRun.asOf}, ${minute(row.lastSuccessfulRun.startedAt)}`
        : '-',
  },
  {
    title: 'FAILED SINCE',
    value: (row) => (row.lastFailure ? `${minute(row.lastFailure.at)} ${shortText(row.lastFailure.reason, 70)}` : ''),
  },
];

function problemsOf(row: Row, staleAfterHours: number): string[] {
  const problems: string[] = [];
  if (row.stale && row.timeline === 'current')
    problems.push(
      row.ageHours === null
        ? `${place(row)}: never refreshed`
        : `${place(row)}: stale, last refreshed ${row.ageHours.toFixed(1)} h ago (limit ${staleAfterHours} h)`,
    );
  if (row.lastFailure)
    problems.push(`${place(row)}: the refresh of ${minute(row.lastFailure.at)} failed — ${row.lastFailure.reason}`);
  return problems;
}

export const freshnessSection: StatusSection = {
  name: 'freshness',
  async read({ storage, health }) {
    const { lastSuccesses } = await import('../../shared/runs/ledger');
    const successes = await lastSuccesses(storage).catch((e: { statusCode?: number }) => {
      // No status table yet: nothing ever succeeded.
      if (e.statusCode === 404) return [];
      throw e;
    });
    const lastSuccessfulRuns = new Map(successes.map((run) => [place(run), run]));
    const rows: Row[] = health.prices.map((entry) => {
      const run = lastSuccessfulRuns.get(place(entry));
      return {
        ...entry,
        lastSuccessfulRun: run ? { kind: run.kind, asOf: run.asOf, startedAt: run.startedAt, runId: run.runId } : null,
      };
    });
    return {
      data: rows,
      lines: [`Freshness (daily refreshes; stale after ${health.staleAfterHours} h)`, ...formatTable(COLUMNS, rows)],
      problems: rows.flatMap((row) => problemsOf(row, health.staleAfterHours)),
    };
  },
};
