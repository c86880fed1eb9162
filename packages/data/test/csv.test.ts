import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@nde/core';
import { parseCsv } from '../src/index.js';

describe('parseCsv (d3-dsv)', () => {
  it('keeps a quoted newline, a quoted separator and a doubled quote inside one cell', () => {
    const text = 'name,note,n\nx,"two\nlines",1\ny,"a, ""b""",2\n';
    expect(parseCsv(text)).toEqual([
      { name: 'x', note: 'two\nlines', n: '1' },
      { name: 'y', note: 'a, "b"', n: '2' },
    ]);
  });

  it('trims cells, skips blank lines (CRLF too), fills missing cells with an empty string', () => {
    expect(parseCsv(' a ; b \r\n\r\n 1 ;2\r\n3\r\n', ';')).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '' },
    ]);
  });

  it('opens a quoted field only at the start of a cell (RFC 4180): a quote after a space or inside a cell is literal', () => {
    expect(parseCsv('a,b,c\n1, "x,y"\n2,p"q,3\n')).toEqual([
      { a: '1', b: '"x', c: 'y"' },
      { a: '2', b: 'p"q', c: '3' },
    ]);
  });

  it('rejects empty text and a separator that is not one character', () => {
    expect(() => parseCsv('\n\n')).toThrow(InvalidArgumentError);
    expect(() => parseCsv('a,b\n1,2', ',,')).toThrow(/one character/);
  });
});
