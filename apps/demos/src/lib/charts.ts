/** Vega-lite charts of the demos (SVG through @nde/plot). */
import { vegaLiteToSvg } from '@nde/plot';
import type { FieldSample } from '../shared/neural-ode.js';

/** A named trajectory (flat [x0, y0, x1, y1, …]) drawn as a line or as points. */
export interface PathLayer {
  name: string;
  xy: ArrayLike<number>;
  mark?: 'line' | 'point';
  /** CSS colour of a line. */
  color?: string;
}

/** Phase portrait: quiver of the vector field (arrow segments coloured by speed) plus trajectories. */
export async function phasePortraitSvg(
  title: string,
  field: FieldSample | undefined,
  paths: readonly PathLayer[],
  box: [number, number],
  size = 520,
): Promise<string> {
  const layers: object[] = [];
  const scale = { domain: box, nice: false };
  if (field) {
    const n = field.xs.length;
    const step = (box[1] - box[0]) / n;
    const arrows: object[] = [];
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const k = j * n + i;
        const u = field.u[k]!;
        const v = field.v[k]!;
        const s = Math.hypot(u, v) || 1;
        const x = field.xs[i]!;
        const y = field.ys[j]!;
        const l = 0.4 * step;
        arrows.push({ x: x - (u / s) * l, y: y - (v / s) * l, x2: x + (u / s) * l, y2: y + (v / s) * l, speed: Math.hypot(u, v) });
      }
    }
    layers.push({
      data: { values: arrows },
      mark: { type: 'rule', strokeWidth: 1.2, opacity: 0.8 },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale, title: 'y₁' },
        y: { field: 'y', type: 'quantitative', scale, title: 'y₂' },
        x2: { field: 'x2' },
        y2: { field: 'y2' },
        color: {
          field: 'speed',
          type: 'quantitative',
          scale: { scheme: { name: 'viridis', extent: [0, 0.8] }, type: 'sqrt' },
          title: '|f(y)|',
        },
      },
    });
    // Arrow heads: small points at the tips.
    layers.push({
      data: { values: arrows },
      mark: { type: 'point', filled: true, size: 6, opacity: 0.8 },
      encoding: {
        x: { field: 'x2', type: 'quantitative', scale },
        y: { field: 'y2', type: 'quantitative', scale },
        color: {
          field: 'speed',
          type: 'quantitative',
          scale: { scheme: { name: 'viridis', extent: [0, 0.8] }, type: 'sqrt' },
          legend: null,
        },
      },
    });
  }
  const pts = (p: PathLayer): object[] =>
    Array.from({ length: Math.floor(p.xy.length / 2) }, (_, i) => ({ x: p.xy[2 * i], y: p.xy[2 * i + 1], i, series: p.name }));
  const points = paths.filter((p) => p.mark === 'point');
  const lines = paths.filter((p) => p.mark !== 'point');
  const palette = ['#e41a1c', '#ff7f00', '#984ea3', '#a65628', '#f781bf', '#377eb8'];
  if (points.length) {
    layers.push({
      data: { values: points.flatMap(pts) },
      mark: { type: 'point', filled: true, size: 14, opacity: 0.7, color: '#222' },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale },
        y: { field: 'y', type: 'quantitative', scale },
        shape: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 260 } },
      },
    });
  }
  if (lines.length) {
    layers.push({
      data: { values: lines.flatMap(pts) },
      mark: { type: 'line', strokeWidth: 2, clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale },
        y: { field: 'y', type: 'quantitative', scale },
        order: { field: 'i', type: 'quantitative' },
        stroke: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: lines.map((l) => l.name), range: lines.map((l, k) => l.color ?? palette[k % palette.length]) },
          legend: { labelLimit: 260 },
        },
      },
    });
  }
  return vegaLiteToSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: size,
    height: size,
    background: 'white',
    layer: layers,
  } as never);
}

/** One curve of {@link curvesSvg}: drawn as a line or as points, coloured by `group`. */
export interface Curve {
  id: string;
  group: string;
  x: readonly number[];
  y: readonly number[];
  kind: 'line' | 'point';
}

/** Many curves coloured by group (e.g. all prior samples one colour, observations another). */
export async function curvesSvg(
  title: string,
  curves: readonly Curve[],
  o: { xLabel: string; yLabel: string; colors?: Record<string, string> },
): Promise<string> {
  const rows = (kind: Curve['kind']): object[] =>
    curves.filter((c) => c.kind === kind).flatMap((c) => c.x.map((x, i) => ({ x, y: c.y[i], i, id: c.id, group: c.group })));
  const groups = [...new Set(curves.map((c) => c.group))];
  const color = {
    field: 'group',
    type: 'nominal',
    title: null,
    scale: o.colors ? { domain: groups, range: groups.map((g) => o.colors![g] ?? '#888') } : { scheme: 'category10' },
    legend: { labelLimit: 260 },
  };
  const enc = {
    x: { field: 'x', type: 'quantitative', title: o.xLabel },
    y: { field: 'y', type: 'quantitative', title: o.yLabel, scale: { zero: false } },
    color,
  };
  return vegaLiteToSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 300,
    background: 'white',
    layer: [
      {
        data: { values: rows('line') },
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.75 },
        encoding: { ...enc, detail: { field: 'id' }, order: { field: 'i', type: 'quantitative' } },
      },
      { data: { values: rows('point') }, mark: { type: 'point', filled: true, size: 30 }, encoding: enc },
    ],
  } as never);
}
