import { licenseFigures, termMonths } from '../../../shared/prices/licenseFigures';
import { validatePriceRecord, fieldForHeader, type PriceRecord, type PriceRow } from '../../../shared/prices/row';
import { EUROPEAN_CURRENCIES, licenseRow, type LicenseSheetRow } from '../../helpers/licenseSheets';

/** A sheet row as the pipeline validates it (header names → fields → schema). */
function rowOf(overrides: LicenseSheetRow = {}): PriceRow {
  const record: PriceRecord = {};
  for (const [header, value] of Object.entries(licenseRow(overrides))) {
    const field = fieldForHeader(header);
    if (field) record[field] = value;
  }
  const verdict = validatePriceRecord(record);
  if (!verdict.ok) throw new Error(verdict.reason);
  return verdict.row;
}

describe('termMonths', () => {
  it.each([
    ['P1M', 1],
    ['P1Y', 12],
    ['P3Y', 36],
    ['P6Y', 72],
    ['P36M', 36],
    ['P1Y6M', 18],
    ['p1y', 12],
  ])('%s covers %i months', (term, months) => expect(termMonths(term)).toBe(months));

  it.each(['', 'P0M', 'P1D', 'P1W', 'PT1H', '1 Hour', 'P'])('%p is not a license term', (term) => {
    expect(termMonths(term)).toBeNull();
  });
});

describe('licenseFigures', () => {
  it('keeps a P1M price as the monthly price', () => {
    expect(
      licenseFigures(rowOf({ TermDuration: 'P1M', BillingPlan: 'Monthly', UnitPrice: '7.2', 'ERP Price': '7.2' })),
    ).toEqual({ monthlyUnitPrice: '7.2', marginAmount: '0', marginPercent: '0' });
  });

  it('divides a P1Y price by 12 whatever the billing plan', () => {
    for (const plan of ['Annual', 'Monthly']) {
      expect(
        licenseFigures(rowOf({ TermDuration: 'P1Y', BillingPlan: plan, UnitPrice: '48', 'ERP Price': '60' })),
      ).toEqual({ monthlyUnitPrice: '4', marginAmount: '12', marginPercent: '20' });
    }
  });

  it('divides a P3Y price by 36 and rounds half-up to 4 places', () => {
    // 1000 / 36 = 27.7777…
    expect(
      licenseFigures(rowOf({ TermDuration: 'P3Y', UnitPrice: '1000', 'ERP Price': '1250' }))?.monthlyUnitPrice,
    ).toBe('27.7778');
    // 10 / 12 = 0.83333…
    expect(licenseFigures(rowOf({ TermDuration: 'P1Y', UnitPrice: '10', 'ERP Price': '' }))?.monthlyUnitPrice).toBe(
      '0.8333',
    );
    // 0.00006 / 12 = 0.000005 → 0.0000; a P1M price is not divided, so it is kept as published.
    expect(licenseFigures(rowOf({ TermDuration: 'P1Y', UnitPrice: '0.00006' }))?.monthlyUnitPrice).toBe('0');
    expect(licenseFigures(rowOf({ TermDuration: 'P1M', UnitPrice: '0.00005' }))?.monthlyUnitPrice).toBe('0.00005');
  });

  it('spreads a six-year (72-month) term over 72 months', () => {
    expect(licenseFigures(rowOf({ TermDuration: 'P6Y', UnitPrice: '72', 'ERP Price': '90' }))?.monthlyUnitPrice).toBe(
      '1',
    );
  });

  it('computes the margin exactly and its percentage to 2 places', () => {
    // Published GBP prices such as 3393.9 (annual billing) vs 3393.96 (monthly billing): sub-cent figures survive.
    expect(
      licenseFigures(rowOf({ TermDuration: 'P1Y', Currency: 'GBP', UnitPrice: '3393.96', 'ERP Price': '4242.45' })),
    ).toEqual({ monthlyUnitPrice: '282.83', marginAmount: '848.49', marginPercent: '20' });
    // 1/3 of the ERP: 33.333… %
    expect(licenseFigures(rowOf({ UnitPrice: '2', 'ERP Price': '3' }))?.marginPercent).toBe('33.33');
    // 0.1 + 0.2 style binary-float traps do not apply.
    expect(licenseFigures(rowOf({ UnitPrice: '0.1', 'ERP Price': '0.3' }))?.marginAmount).toBe('0.2');
  });

  it('reports a negative margin when the ERP is below the list price', () => {
    expect(licenseFigures(rowOf({ UnitPrice: '12', 'ERP Price': '10' }))).toEqual({
      monthlyUnitPrice: '1',
      marginAmount: '-2',
      marginPercent: '-20',
    });
  });

  it('has no margin when the ERP price is absent or 0', () => {
    expect(licenseFigures(rowOf({ 'ERP Price': '' }))).toEqual({
      monthlyUnitPrice: '5',
      marginAmount: null,
      marginPercent: null,
    });
    expect(licenseFigures(rowOf({ 'ERP Price': '0' }))).toEqual({
      monthlyUnitPrice: '5',
      marginAmount: null,
      marginPercent: null,
    });
  });

  it('gives free SKUs a zero monthly price and no margin', () => {
    // Dynamics 365 Business Central External Accountant is published at 0: it is free.
    const free = rowOf({
      ProductId: 'CFQ7TTC0LH33',
      UnitPrice: '0',
      'ERP Price': '0',
      TermDuration: 'P1M',
      BillingPlan: 'Monthly',
    });
    expect(licenseFigures(free)).toEqual({ monthlyUnitPrice: '0', marginAmount: null, marginPercent: null });
  });

  it('treats trials (billing plan None, tags License; Trial) as free license terms', () => {
    const trial = rowOf({
      TermDuration: 'P1M',
      BillingPlan: 'None',
      Tags: 'License; Trial',
      UnitPrice: '0',
      'ERP Price': '0',
    });
    expect(trial.billingPlan).toBe('None');
    expect(licenseFigures(trial)).toEqual({ monthlyUnitPrice: '0', marginAmount: null, marginPercent: null });
  });

  it('computes each of the six European currencies on its own', () => {
    const prices: Record<string, [string, string]> = {
      SEK: ['720', '864'],
      NOK: ['744', '892.8'],
      CHF: ['66', '79.2'],
      DKK: ['480', '576'],
      GBP: ['54.6', '65.52'],
      EUR: ['62.4', '74.88'],
    };
    const figures = EUROPEAN_CURRENCIES.map((currency) =>
      licenseFigures(
        rowOf({ Market: 'DE', Currency: currency, UnitPrice: prices[currency][0], 'ERP Price': prices[currency][1] }),
      ),
    );
    expect(figures.map((figure) => figure?.monthlyUnitPrice)).toEqual(['60', '62', '5.5', '40', '4.55', '5.2']);
    expect(figures.map((figure) => figure?.marginPercent)).toEqual([
      '16.67',
      '16.67',
      '16.67',
      '16.67',
      '16.67',
      '16.67',
    ]);
    expect(figures.map((figure) => figure?.marginAmount)).toEqual(['144', '148.8', '13.2', '96', '10.92', '12.48']);
  });

  it('is null for metered Azure plan rows, reservations included', () => {
    const reservation = { ...rowOf({ TermDuration: 'P1Y' }), meterId: '0a1b2c3d-0000-4000-8000-000000000001' };
    expect(licenseFigures(reservation)).toBeNull();
  });

  it('is null for rows whose term is not whole months', () => {
    expect(licenseFigures(rowOf({ TermDuration: '' }))).toBeNull();
    expect(licenseFigures(rowOf({ TermDuration: 'P30D' }))).toBeNull();
  });
});
