import type { PipelineRun } from '../shared/runs/recordedRun';
import type { CommandIO } from './io';

/** The summary of one or more pipeline runs: a line for people, an object for --json. Returns the exit code. */
export function reportRuns(io: CommandIO, what: string, runs: PipelineRun[], durationMs: number): number {
  const totals = { read: 0, rejected: 0, added: 0, changed: 0, removed: 0, unchanged: 0, entitiesWritten: 0 };
  for (const r of runs) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r.counts[k];
  const failed = runs.filter((r) => r.outcome === 'failed');
  for (const r of failed) io.log(`${r.market}/${r.view}: FAILED — ${r.error}`);
  for (const r of runs) if (r.note) io.log(`${r.market}/${r.view}: ${r.note}`);
  const ok = failed.length === 0;
  io.summary(
    `${what}: ${runs.length - failed.length} of ${runs.length} succeeded — read ${totals.read}, rejected ${totals.rejected}, added ${totals.added}, changed ${totals.changed}, removed ${totals.removed}, unchanged ${totals.unchanged} (${(durationMs / 1000).toFixed(1)} s)`,
    {
      ok,
      ...totals,
      durationMs,
      runs: runs.map((r) => ({
        runId: r.runId,
        market: r.market,
        view: r.view,
        timeline: r.timeline,
        asOf: r.asOf,
        source: r.source,
        outcome: r.outcome,
        error: r.error,
        note: r.note ?? null,
        ...r.counts,
        durationMs: r.durationMs,
        archive: r.archive,
        rejectedReport: r.rejectedReport,
      })),
    },
  );
  return ok ? 0 : 1;
}
