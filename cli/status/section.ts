import type { Settings } from '../../shared/config/settings';
import type { HealthReport } from '../../shared/runs/health';
import type { StorageClients } from '../../shared/storage/clients';

/** What every section of `status` is given: storage (reachable: checked first), settings, the health report. */
export interface StatusContext {
  storage: StorageClients;
  settings: Settings;
  /** GET /api/health's report (shared/runs/health.ts), computed once for every section. */
  health: HealthReport;
  now: Date;
}

/** What a section found. */
export interface SectionReport {
  /** Its part of the --json summary, under the section's name. */
  data: unknown;
  /** Its part of the text for people: a title line, then a table or a few lines. */
  lines: string[];
  /** What needs an operator, one line each (empty when all is well): any makes `status` exit 1. */
  problems: string[];
}

/**
 * One part of `status`. A section loads what reaches the Azure SDKs inside read(), with
 * `await import(…)`, so that `status --help` stays fast.
 */
export interface StatusSection {
  /** Its key in the --json summary. */
  name: string;
  read(context: StatusContext): Promise<SectionReport>;
}
