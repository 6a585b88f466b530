/**
 * Personal data (registration numbers, phone numbers, names, e-mail addresses) never goes to logs
 * or into messages in clear. Where a hint helps someone find the record, show only the tail.
 */

/** `7709442668` → `…68`: enough to tell two records apart, too little to identify anyone. */
export function maskTail(value: string, visible = 2): string {
  const chars = [...value.replace(/\s+/g, '')];
  // Short values would be (almost) fully shown by their tail; hide them completely.
  if (chars.length <= visible * 2) return '…';
  return `…${chars.slice(-visible).join('')}`;
}
