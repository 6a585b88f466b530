/**
 * Plain aligned columns for people (`runs`, `status`): readable in a terminal, greppable, and cut by
 * nothing. Hand-written: table libraries draw borders and add dependencies for what is padding.
 */
export interface Column<T> {
  title: string;
  value: (row: T) => string;
  /** Numbers read best right-aligned. */
  right?: boolean;
}

export function formatTable<T>(columns: Column<T>[], rows: T[]): string[] {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i].length)));
  const line = (texts: string[]) =>
    texts
      .map((text, i) => (columns[i].right ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), ...cells.map(line)];
}

/** A text cut to `max` characters, its first line only (errors can be pages long). */
export function shortText(text: string, max: number): string {
  const first = text.split('\n', 1)[0];
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
