import type { PipelineRun } from '../shared/runs/recordedRun';
import type { CommandIO } from './io';

type ChangeCounts = Pick<PipelineRun['counts'], 'added' | 'changed' | 'removed' | 'unchanged'>;

/**
 * Partner Center's change codes (pricing guide) for a run's counts, which compare versions with the
 * previous snapshot: partners read price lists by these codes. Added next to the words in --json
 * (which keeps its fields for scripts); the line for people shows the codes.
 */
const changeCodes = ({ added, changed, removed, unchanged }: ChangeCounts) => ({
  ADD: added,
  CHG: changed,
  DEL: removed,
  UNC: unchanged,
});

/** The summary of one or more pipeline runs: a line for people, an object for --json. Returns the exit code. */
export function reportRuns(io: CommandIO, what: string, runs: PipelineRun[], durationMs: number): number {
  const totals = { read: 0, rejected: 0, added: 0, changed: 0, removed: 0, unchanged: 0, entitiesWritten: 0 };
  for (const run of runs)
    for (const count of Object.keys(totals) as (keyof typeof totals)[]) totals[count] += run.counts[count];
  const failed = runs.filter((run) => run.outcome === 'failed');
  for (const run of failed) io.log(`${run.market}/${run.view}: FAILED — ${run.error}`, 'error');
  for (const run of runs) if (run.note) io.log(`${run.market}/${run.view}: ${run.note}`);
  const ok = failed.length === 0;
  const codes = changeCodes(totals);
  const succeeded = `${runs.length - failed.length} of ${runs.length} succeeded`;
  const counted =
    `read ${totals.read}, rejected ${totals.rejected}, ` +
    `ADD ${codes.ADD}, CHG ${codes.CHG}, DEL ${codes.DEL}, UNC ${codes.UNC}`;
  io.summary(`${what}: ${succeeded} — ${counted} (${(durationMs / 1000).toFixed(1)} s)`, {
    ok,
    ...totals,
    codes,
    durationMs,
    runs: runs.map((run) => ({
      runId: run.runId,
      market: run.market,
      view: run.view,
      timeline: run.timeline,
      asOf: run.asOf,
      source: run.source,
      outcome: run.outcome,
      error: run.error,
      note: run.note ?? null,
      ...run.counts,
      codes: changeCodes(run.counts),
      durationMs: run.durationMs,
      archive: run.archive,
      rejectedReport: run.rejectedReport,
    })),
  });
  return ok ? 0 : 1;
}
