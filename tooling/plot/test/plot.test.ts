import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { gray, grid, heatmap, lineChart, readPng, writeGif, writePng, writeText } from '@nde/plot';

it('writes an SVG chart, a PNG and a GIF that read back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nde-plot-'));
  const svg = await lineChart(
    [{ name: 'sin', x: [0, 1, 2, 3], y: [0, 0.84, 0.91, 0.14], lo: [-0.1, 0.7, 0.8, 0], hi: [0.1, 0.9, 1, 0.3] }],
    { title: 'test', logY: false },
  );
  expect(svg).toMatch(/^<svg/);
  expect(svg).toMatch(/sin/);
  writeText(join(dir, 'c.svg'), svg);
  const img = grid([heatmap([0, 1, 2, 3], 2, 2), gray([0, 0.5, 1, 0.25], 2, 2)], 2);
  writePng(join(dir, 'g.png'), img);
  const back = readPng(readFileSync(join(dir, 'g.png')));
  expect([back.width, back.height]).toEqual([5, 2]);
  expect(Array.from(back.data.subarray(0, 4))).toEqual([68, 1, 84, 255]);
  writeGif(join(dir, 'a.gif'), [gray([0, 1, 0, 1], 2, 2), gray([1, 0, 1, 0], 2, 2)]);
  expect(readFileSync(join(dir, 'a.gif')).subarray(0, 6).toString()).toBe('GIF89a');
  expect(statSync(join(dir, 'c.svg')).size).toBeGreaterThan(1000);
});
