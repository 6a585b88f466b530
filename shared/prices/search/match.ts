import type { PriceVersion } from '../version';
import type { FilterNode } from './filter';

/**
 * Whether a price version satisfies a `$filter`. Values compare case-insensitively (both sides
 * lower-cased with the locale-independent Unicode mapping), as the Retail Prices API did before
 * api-version 2023-01-01-preview: a filter written for its case-sensitive versions matches at least
 * what it matches there. The index folds values the same way (fold).
 */
export const fold = (text: string): string => text.toLowerCase();

export function matchesFilter(version: PriceVersion, node: FilterNode): boolean {
  switch (node.op) {
    case 'and':
      return matchesFilter(version, node.left) && matchesFilter(version, node.right);
    case 'or':
      return matchesFilter(version, node.left) || matchesFilter(version, node.right);
    default: {
      const value = fold(version[node.field] ?? '');
      const wanted = fold(node.value);
      if (node.op === 'eq') return value === wanted;
      if (node.op === 'ne') return value !== wanted;
      if (node.op === 'contains') return value.includes(wanted);
      return value.startsWith(wanted);
    }
  }
}
