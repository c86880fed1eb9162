/**
 * CSV (and other delimiter-separated) text as rows of strings keyed by the header, parsed by
 * [`d3-dsv`](https://github.com/d3/d3-dsv) (RFC 4180: quoted fields may hold the separator, `""` and
 * line breaks).
 */
import { dsvFormat } from 'd3-dsv';
import { InvalidArgumentError } from '@nde/core';

/**
 * Parse CSV text into rows of strings keyed by the header. Double-quoted fields may contain the
 * separator, line breaks and `""` (a literal quote); a field is quoted only when its first character is
 * the quote (a quote after a space or inside a cell is literal). Cells are trimmed, blank lines skipped,
 * missing cells are `''`.
 * @param text - CSV text whose first non-blank line is the header.
 * @param separator - Field separator, one character (default `','`).
 * @returns One record per data row, keyed by the (trimmed) header cells.
 * @throws InvalidArgumentError when `text` has no header line or `separator` is not one character.
 *
 * @example
 * ```ts
 * parseCsv('a,b\n1,2\n'); // [{ a: '1', b: '2' }]
 * parseCsv('name,note\nx,"two\nlines"\n'); // [{ name: 'x', note: 'two\nlines' }]
 * ```
 */
export function parseCsv(text: string, separator = ','): Record<string, string>[] {
  if (typeof separator !== 'string' || separator.length !== 1) {
    throw new InvalidArgumentError('separator', `must be one character (got ${JSON.stringify(separator)}).`);
  }
  const rows = dsvFormat(separator)
    .parseRows(text)
    .filter((r) => r.some((cell) => cell.trim().length > 0));
  const header = rows[0];
  if (header === undefined) throw new InvalidArgumentError('text', 'is empty.', 'Pass CSV text with a header line.');
  const cols = header.map((c) => c.trim());
  return rows.slice(1).map((cells) => Object.fromEntries(cols.map((c, i) => [c, (cells[i] ?? '').trim()])));
}
