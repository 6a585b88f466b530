import { readSheetEvidence, type PriceView, type Timeline } from '../prices';
import type { UploadedBlob } from './areas';
import { readUploadLabels, UploadRefusedError, type LabelReading } from './labels';
import { ratesFileFormat } from '../formats/ratesFileFormat';

/**
 * What to do with an upload, decided from its header and first rows plus the uploader's labels
 * (priceUploadLabels). The file's own content is the authority: a label that contradicts it refuses
 * the upload, a label fills in what the file cannot tell (the view of a sheet without Consumption
 * or Reservation tags, the as-of day). As-of defaults to the day the blob was uploaded (UTC).
 */

export type UploadPlan =
  | {
      kind: 'price-sheet';
      market: string;
      view: PriceView;
      timeline: Timeline;
      asOf: string;
      from: Record<string, string>;
      notes: string[];
    }
  | {
      kind: 'exchange-rates';
      market: null;
      view: null;
      timeline: null;
      asOf: string;
      from: Record<string, string>;
      notes: string[];
    };

/** Partner Center publishes next month's list ahead only for license-based prices (seed 004). */
const FUTURE_VIEWS: readonly PriceView[] = ['updatedlicensebased'];

export async function planUpload(file: string, upload: UploadedBlob): Promise<UploadPlan> {
  const reading = readUploadLabels(upload.name, upload.metadata);
  const asOf = reading.labels.asOf ?? upload.lastModified.toISOString().slice(0, 10);
  const asOfFrom = reading.from.asOf ?? 'upload day';

  if ((await ratesFileFormat(file)) !== null) {
    const misplaced = (['market', 'view', 'timeline'] as const).filter((name) => reading.labels[name] !== undefined);
    if (misplaced.length > 0) {
      throw new UploadRefusedError(
        `an exchange-rate file takes no ${misplaced.join(', ')} (given by the ${misplaced.map((n) => reading.from[n]).join(', ')})`,
      );
    }
    return {
      kind: 'exchange-rates',
      market: null,
      view: null,
      timeline: null,
      asOf,
      from: { asOf: asOfFrom },
      notes: reading.notes,
    };
  }

  const evidence = await readSheetEvidence(file);
  const market = chooseMarket(evidence.markets, reading);
  const view = chooseView(evidence, reading);
  const timeline = reading.labels.timeline ?? 'current';
  if (timeline === 'future' && !FUTURE_VIEWS.includes(view.value)) {
    throw new UploadRefusedError(`a future price list exists only for ${FUTURE_VIEWS.join(', ')}, not ${view.value}`);
  }
  return {
    kind: 'price-sheet',
    market: market.value,
    view: view.value,
    timeline,
    asOf,
    from: { market: market.from, view: view.from, timeline: reading.from.timeline ?? 'default', asOf: asOfFrom },
    notes: reading.notes,
  };
}

function chooseMarket(markets: readonly string[], reading: LabelReading): { value: string; from: string } {
  const label = reading.labels.market;
  if (markets.length > 1)
    throw new UploadRefusedError(`the file mixes markets ${markets.join(', ')}; one market per file`);
  if (markets.length === 1) {
    if (label !== undefined && label !== markets[0]) {
      throw new UploadRefusedError(`the ${reading.from.market} says market ${label} but the rows say ${markets[0]}`);
    }
    return { value: markets[0], from: 'rows' };
  }
  // No valid row among the first ones: the pipeline lists why, line by line.
  if (label !== undefined) return { value: label, from: reading.from.market as string };
  throw new UploadRefusedError('no valid rows to read the market from, and no market in the path or metadata');
}

function chooseView(
  evidence: { view: PriceView | undefined; viewProblem: string },
  reading: LabelReading,
): { value: PriceView; from: string } {
  const label = reading.labels.view;
  if (evidence.view !== undefined) {
    if (label !== undefined && label !== evidence.view) {
      throw new UploadRefusedError(`the ${reading.from.view} says view ${label} but the file is ${evidence.view}`);
    }
    return { value: evidence.view, from: 'header and rows' };
  }
  if (label !== undefined) return { value: label, from: reading.from.view as string };
  throw new UploadRefusedError(evidence.viewProblem.replace('name it', 'name it in the path or metadata'));
}
