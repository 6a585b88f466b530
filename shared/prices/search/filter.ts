import { ApiError } from '../../api/errors';

/**
 * `$filter` of GET /api/prices: the subset of the Azure Retail Prices API's OData filter the search
 * serves — `eq`, `ne`, `and`, `or`, parentheses, `contains(field, '…')` and `startswith(field, '…')`
 * over text fields, string literals in single quotes with `''` for a quote. It is parsed into a tree
 * (never passed on as text: the search evaluates the tree itself and reads only index keys it derives
 * from the values), so nothing a client writes can reach a table filter.
 *
 * Hand-written on purpose: the npm OData parsers (odata-v4-parser, @odata/parser, odata-parser)
 * parse the whole OData grammar (navigation, lambda operators, arithmetic, every literal type) into
 * trees of their own that would still need a checker to refuse everything outside this subset, and
 * report errors without the position and wording this API promises; the subset is a few
 * productions and a precedence rule.
 */

/** Our field names (the API item's) and, for the same fields, the Retail Prices API's names. */
export const SEARCH_FIELDS = [
  'productTitle',
  'productId',
  'skuId',
  'skuTitle',
  'skuDescription',
  'publisher',
  'meterId',
  'meterType',
  'region',
  'location',
  'tags',
  'unitOfMeasure',
  'termDuration',
  'billingPlan',
  'currency',
  'priceType',
] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Retail Prices API field → ours (see docs/api.md, `$filter`). */
const RETAIL_NAMES: Record<string, SearchField> = {
  productname: 'productTitle',
  skuname: 'skuTitle',
  armregionname: 'region',
  currencycode: 'currency',
  type: 'priceType',
};

/** Retail fields with no stored counterpart: refused with a pointer to what to use instead. */
const NOT_STORED: Record<string, string> = {
  servicename: 'the service name is part of productTitle (productName): use contains(productName, …)',
  servicefamily: 'not stored',
  serviceid: 'not stored',
  metername: 'the meter name is part of skuDescription: use contains(skuDescription, …)',
  armskuname: 'not stored; the SKU name is skuTitle (skuName)',
  reservationterm: 'stored as termDuration (P1Y, P3Y)',
  retailprice: 'prices cannot be filtered',
  unitprice: 'prices cannot be filtered',
  tierminimumunits: 'tiers cannot be filtered',
  effectivestartdate: 'dates cannot be filtered: use date',
  isprimarymeterregion: 'not stored',
};

export type Comparison = 'eq' | 'ne' | 'contains' | 'startswith';

export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | {
      op: Comparison;
      field: SearchField;
      /** The value as written (quotes and escapes removed). */
      value: string;
    };

/** Longest `$filter` accepted, and deepest nesting of parentheses (bounds the work of one request). */
export const FILTER_MAX_LENGTH = 2000;
const MAX_DEPTH = 32;

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: '(' | ')' | ','; at: number }
  | { kind: 'end'; at: number };

/** A 400 InvalidFilter naming the 1-based character position in `$filter` (and the field as written, if any). */
export function filterError(message: string, at: number, field?: string): ApiError {
  const position = at + 1;
  return new ApiError(400, 'InvalidFilter', `$filter: ${message} (at character ${position})`, {
    parameter: '$filter',
    position,
    ...(field === undefined ? {} : { field }),
  });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, at: i++ });
    } else if (c === "'") {
      const at = i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw filterError('a string is not closed by a quote', at);
        if (text[i] === "'") {
          if (text[i + 1] !== "'") break;
          value += "'";
          i += 2;
        } else value += text[i++];
      }
      i++;
      tokens.push({ kind: 'string', value, at });
    } else if (/[A-Za-z_]/.test(c)) {
      const at = i;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(at, i), at });
    } else if (/[0-9.-]/.test(c)) {
      throw filterError('numbers are not accepted: every filterable field is text, written in single quotes', i);
    } else {
      throw filterError(`unexpected character ${JSON.stringify(c)}`, i);
    }
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

const describe = (token: Token) =>
  token.kind === 'end'
    ? 'the end of the filter'
    : token.kind === 'word'
      ? `"${token.text}"`
      : token.kind === 'string'
        ? 'a string'
        : `"${token.kind}"`;

/** The field a name denotes (ours or the Retail API's, any letter case); an error naming it as written otherwise. */
function fieldOf(token: Token): SearchField {
  if (token.kind !== 'word') throw filterError(`expected a field name, found ${describe(token)}`, token.at);
  const lower = token.text.toLowerCase();
  const ours = SEARCH_FIELDS.find((field) => field.toLowerCase() === lower);
  if (ours) return ours;
  if (lower in RETAIL_NAMES) return RETAIL_NAMES[lower];
  if (lower in NOT_STORED)
    throw filterError(`field ${token.text} cannot be filtered: ${NOT_STORED[lower]}`, token.at, token.text);
  throw filterError(
    `unknown field ${token.text} (fields: ${SEARCH_FIELDS.join(', ')}, or the Retail API's productName, ` +
      'skuName, armRegionName, currencyCode, type)',
    token.at,
    token.text,
  );
}

export function parseFilter(text: string): FilterNode {
  if (text.length > FILTER_MAX_LENGTH)
    throw filterError(`longer than ${FILTER_MAX_LENGTH} characters`, FILTER_MAX_LENGTH);
  const tokens = tokenize(text);
  let next = 0;
  const peek = () => tokens[next];
  const isWord = (token: Token, word: string) => token.kind === 'word' && token.text.toLowerCase() === word;
  const expect = (kind: '(' | ')' | ',') => {
    const token = tokens[next];
    if (token.kind !== kind) throw filterError(`expected "${kind}", found ${describe(token)}`, token.at);
    next++;
  };
  const literal = (field: Token): string => {
    const token = tokens[next];
    if (token.kind !== 'string') {
      const written = field.kind === 'word' ? field.text : undefined;
      throw filterError(`expected a value in single quotes, found ${describe(token)}`, token.at, written);
    }
    next++;
    return token.value;
  };

  const or = (depth: number): FilterNode => {
    let left = and(depth);
    while (isWord(peek(), 'or')) {
      next++;
      left = { op: 'or', left, right: and(depth) };
    }
    return left;
  };
  const and = (depth: number): FilterNode => {
    let left = primary(depth);
    while (isWord(peek(), 'and')) {
      next++;
      left = { op: 'and', left, right: primary(depth) };
    }
    return left;
  };
  const primary = (depth: number): FilterNode => {
    const token = peek();
    if (token.kind === '(') {
      if (depth >= MAX_DEPTH) throw filterError(`parentheses nested deeper than ${MAX_DEPTH}`, token.at);
      next++;
      const inner = or(depth + 1);
      expect(')');
      return inner;
    }
    if (token.kind !== 'word') throw filterError(`expected a condition, found ${describe(token)}`, token.at);
    const lower = token.text.toLowerCase();
    if ((lower === 'contains' || lower === 'startswith') && tokens[next + 1]?.kind === '(') {
      next += 2;
      const fieldToken = peek();
      const field = fieldOf(fieldToken);
      next++;
      expect(',');
      const value = literal(fieldToken);
      expect(')');
      return { op: lower, field, value };
    }
    const field = fieldOf(token);
    next++;
    const operator = peek();
    if (!isWord(operator, 'eq') && !isWord(operator, 'ne'))
      throw filterError(
        `expected eq or ne after ${token.text}, found ${describe(operator)}` +
          (operator.kind === 'word' ? ' (operators: eq, ne; functions: contains, startswith)' : ''),
        operator.at,
        token.text,
      );
    next++;
    return { op: (operator as { text: string }).text.toLowerCase() as 'eq' | 'ne', field, value: literal(token) };
  };

  if (peek().kind === 'end') throw filterError('is empty', 0);
  const tree = or(0);
  const rest = peek();
  if (rest.kind !== 'end') throw filterError(`expected and, or or the end, found ${describe(rest)}`, rest.at);
  return tree;
}
