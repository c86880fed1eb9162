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
  /**
   * Legend entry the path belongs to (default: its own name). Paths of one group share a colour and one
   * legend entry, e.g. 15 trajectories from different starts.
   */
  group?: string;
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
      mark: { type: 'rule', strokeWidth: 1.2, opacity: 0.8, clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale, title: 'y₁' },
        y: { field: 'y', type: 'quantitative', scale, title: 'y₂' },
        x2: { field: 'x2' },
        y2: { field: 'y2' },
        color: {
          field: 'speed',
          type: 'quantitative',
          scale: { scheme: { name: 'viridis', extent: [0, 0.8] }, type: 'sqrt' },
          title: 'speed |f(y)|',
          legend: { orient: 'right', gradientLength: 160, direction: 'vertical' },
        },
      },
    });
    // Arrow heads: small points at the tips.
    layers.push({
      data: { values: arrows },
      mark: { type: 'point', filled: true, size: 6, opacity: 0.8, clip: true },
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
      mark: { type: 'point', filled: true, size: 14, opacity: 0.7, color: '#222', clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale },
        y: { field: 'y', type: 'quantitative', scale },
        shape: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 0, orient: 'bottom' } },
      },
    });
  }
  if (lines.length) {
    // One legend entry per group; `detail` keeps the paths of a group apart.
    const groupOf = (l: PathLayer): string => l.group ?? l.name;
    const groups = [...new Set(lines.map(groupOf))];
    const colorOf = (g: string, k: number): string => lines.find((l) => groupOf(l) === g)?.color ?? palette[k % palette.length]!;
    layers.push({
      data: { values: lines.flatMap((l) => pts(l).map((p) => ({ ...p, group: groupOf(l) }))) },
      mark: { type: 'line', strokeWidth: 2, clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale },
        y: { field: 'y', type: 'quantitative', scale },
        order: { field: 'i', type: 'quantitative' },
        detail: { field: 'series' },
        stroke: {
          field: 'group',
          type: 'nominal',
          title: null,
          scale: { domain: groups, range: groups.map(colorOf) },
          legend: { labelLimit: 0, orient: 'bottom', direction: 'vertical' },
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
    resolve: { scale: { color: 'independent', stroke: 'independent' }, legend: { color: 'independent', stroke: 'independent' } },
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
    legend: { labelLimit: 0, orient: 'bottom', columns: 2 },
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

/** A density on a square grid (row 0 at the top), for {@link densityPanelsSvg}. */
export interface DensityPanel {
  title: string;
  /** log-density on the grid, `res × res` values, row 0 at the top (largest y). */
  logp: ArrayLike<number>;
}

/**
 * Densities side by side as heatmaps with axes and one shared colour bar (density, not log-density, on
 * a common scale), e.g. the true density next to the learned one.
 */
export async function densityPanelsSvg(
  title: string,
  panels: readonly DensityPanel[],
  lim: number,
  res: number,
  size = 260,
): Promise<string> {
  const cell = (2 * lim) / res;
  const rows = panels.flatMap((p) =>
    Array.from(p.logp, (lp, k) => {
      const r = Math.floor(k / res);
      const c = k % res;
      const x = -lim + c * cell;
      const y = lim - (r + 1) * cell;
      return { panel: p.title, x, x2: x + cell, y, y2: y + cell, density: Number.isFinite(lp) ? Math.exp(lp) : 0 };
    }),
  );
  const scale = { domain: [-lim, lim], nice: false };
  return vegaLiteToSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    background: 'white',
    data: { values: rows },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.title), header: { labelFontSize: 12 } } },
    spec: {
      width: size,
      height: size,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale, title: 'x₁' },
        x2: { field: 'x2' },
        y: { field: 'y', type: 'quantitative', scale, title: 'x₂' },
        y2: { field: 'y2' },
        color: { field: 'density', type: 'quantitative', scale: { scheme: 'viridis' }, title: 'density', legend: { gradientLength: size } },
      },
    },
  } as never);
}
