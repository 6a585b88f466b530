import { FileFault } from '../files/fault';
import type { RatesFormat } from '../formats/ratesFile';
import { ratesFileFormat } from '../formats/ratesFileFormat';
import { readSheetEvidence, type PriceView, type SheetEvidence, type Timeline } from '../prices';

/**
 * What a file is and which list it belongs to, decided here for both ways a file comes in — blob drops
 * and the CLI's `ingest <file>` — so that the two can never decide differently. The file's own content
 * is the authority; labels (an upload's folders and metadata, the CLI's options) fill in what the file
 * cannot tell, and a label that contradicts the file refuses it:
 *  - kind: an exchange-rate file (Partner Center FX header, ECB XML), read from its first bytes, or else
 *    a price sheet; an exchange-rate file takes no market, view or timeline label;
 *  - market: from the rows; rows of several markets refuse the file (labelled or not); a label names
 *    the market only when no row among the first ones is valid;
 *  - view: from the header and rows; a label names it when the file cannot tell;
 *  - timeline: the label, else current; future only for the views Partner Center previews;
 *  - as-of: the label, else the caller's default (an upload: the day it was uploaded; the CLI: today).
 * A refusal is a FileFault that names each label as the caller gave it (`the metadata`, `--market`).
 */

export type LabelName = 'market' | 'view' | 'timeline' | 'asOf';

/** Where a label came from: an upload's metadata or folders, or a CLI option. */
export type LabelOrigin = 'metadata' | 'path' | 'option';

export interface Label<T extends string = string> {
  value: T;
  from: LabelOrigin;
}

export interface FileLabels {
  market?: Label;
  view?: Label<PriceView>;
  timeline?: Label<Timeline>;
  asOf?: Label;
}

/** What differs between the callers: the as-of default and how refusals word a label. */
export interface ClassifyContext {
  /** The as-of day when no label names one, and what the plan calls its origin. */
  defaultAsOf: { day: string; from: string };
  /** A label's origin as a refusal names it: `the metadata`, `--market`. */
  givenBy: (name: LabelName, from: LabelOrigin) => string;
  /** Where the caller can name a label the file cannot tell: `in the path or metadata`, `with --view`. */
  nameIt: (name: LabelName) => string;
}

export type FilePlan =
  | {
      kind: 'price-sheet';
      market: string;
      view: PriceView;
      timeline: Timeline;
      asOf: string;
      /** Where each of market, view, timeline and as-of came from (rows, a label's origin, default). */
      from: Record<string, string>;
    }
  | {
      kind: 'exchange-rates';
      format: RatesFormat;
      market: null;
      view: null;
      timeline: null;
      asOf: string;
      from: Record<string, string>;
    };

/** Partner Center publishes next month's list ahead only for license-based prices; Azure plan prices have no preview. */
const FUTURE_VIEWS: readonly PriceView[] = ['updatedlicensebased'];

export async function classifyFile(file: string, labels: FileLabels, context: ClassifyContext): Promise<FilePlan> {
  const asOf = labels.asOf ?? { value: context.defaultAsOf.day, from: context.defaultAsOf.from };
  const format = await ratesFileFormat(file);
  if (format !== null) {
    const misplaced = (['market', 'view', 'timeline'] as const).flatMap((name) => {
      const label = labels[name];
      return label ? [{ name, givenBy: context.givenBy(name, label.from) }] : [];
    });
    if (misplaced.length > 0) {
      const givenBy = [...new Set(misplaced.map((m) => m.givenBy))];
      throw new FileFault(
        `an exchange-rate file takes no ${misplaced.map((m) => m.name).join(', ')} (given by ${givenBy.join(', ')})`,
      );
    }
    return {
      kind: 'exchange-rates',
      format,
      market: null,
      view: null,
      timeline: null,
      asOf: asOf.value,
      from: { asOf: asOf.from },
    };
  }

  const evidence = await readSheetEvidence(file);
  const market = chooseMarket(evidence.markets, labels.market, context);
  const view = chooseView(evidence, labels.view, context);
  const timeline = labels.timeline ?? { value: 'current', from: 'default' };
  if (timeline.value === 'future' && !FUTURE_VIEWS.includes(view.value)) {
    throw new FileFault(`a future price list exists only for ${FUTURE_VIEWS.join(', ')}, not ${view.value}`);
  }
  return {
    kind: 'price-sheet',
    market: market.value,
    view: view.value,
    timeline: timeline.value,
    asOf: asOf.value,
    from: { market: market.from, view: view.from, timeline: timeline.from, asOf: asOf.from },
  };
}

function chooseMarket(
  markets: readonly string[],
  label: Label | undefined,
  context: ClassifyContext,
): { value: string; from: string } {
  if (markets.length > 1) throw new FileFault(`the file mixes markets ${markets.join(', ')}; one market per file`);
  if (markets.length === 1) {
    if (label !== undefined && label.value !== markets[0]) {
      const givenBy = context.givenBy('market', label.from);
      throw new FileFault(`${givenBy} says market ${label.value} but the rows say ${markets[0]}`);
    }
    return { value: markets[0], from: 'rows' };
  }
  // No valid row among the first ones: the pipeline lists why, line by line.
  if (label !== undefined) return label;
  throw new FileFault(`no valid rows to read the market from, and no market ${context.nameIt('market')}`);
}

function chooseView(
  evidence: SheetEvidence,
  label: Label<PriceView> | undefined,
  context: ClassifyContext,
): { value: PriceView; from: string } {
  if (evidence.view !== undefined) {
    if (label !== undefined && label.value !== evidence.view) {
      const givenBy = context.givenBy('view', label.from);
      throw new FileFault(`${givenBy} says view ${label.value} but the file is ${evidence.view}`);
    }
    return { value: evidence.view, from: 'header and rows' };
  }
  if (label !== undefined) return label;
  throw new FileFault(evidence.viewProblem.replace('name it', `name it ${context.nameIt('view')}`));
}
