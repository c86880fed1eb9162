/** Charts as SVG files through vega-lite (headless: no canvas needed). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Render any vega-lite spec to an SVG string. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** One line (or point set) of a chart. */
export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Optional band (e.g. mean ± 2 std). */
  lo?: readonly number[];
  hi?: readonly number[];
  /** Draw this series as points instead of the chart's mark (e.g. data under fitted curves). */
  points?: boolean;
}

/** Options of {@link lineChart}. */
export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  /** A symmetric-log y axis: linear near 0, logarithmic beyond (for values spanning orders of magnitude of both signs). */
  symlogY?: boolean;
  /** 'line' (default), 'point', or 'trail' (line with points). */
  mark?: 'line' | 'point' | 'linepoint';
  width?: number;
  height?: number;
  /** Keep x and y on the same scale (phase portraits). */
  equalAxes?: boolean;
}

/** Line/point chart of several series (bands drawn where `lo`/`hi` are given). */
export async function lineChart(series: readonly Series[], o: ChartOptions): Promise<string> {
  const values = series.flatMap((s) =>
    s.x.map((x, i) => ({
      series: s.name,
      x,
      y: s.y[i],
      i,
      ...(s.points ? { asPoint: true } : {}),
      ...(s.lo && s.hi ? { lo: s.lo[i], hi: s.hi[i] } : {}),
    })),
  );
  const scaleX = o.logX ? { type: 'log' as const } : { zero: false };
  const scaleY = o.logY ? { type: 'log' as const } : o.symlogY ? { type: 'symlog' as const } : { zero: false };
  const enc = {
    x: { field: 'x', type: 'quantitative' as const, title: o.xLabel ?? 'x', scale: scaleX },
    y: { field: 'y', type: 'quantitative' as const, title: o.yLabel ?? 'y', scale: scaleY },
    // Legend below the plot with full labels (labelLimit 0: never cut to "whole-trajectory l…").
    color: { field: 'series', type: 'nominal' as const, title: null, legend: { orient: 'bottom' as const, labelLimit: 0, columns: 2 } },
    order: { field: 'i', type: 'quantitative' as const },
  };
  const layers: object[] = [];
  if (series.some((s) => s.lo && s.hi)) {
    layers.push({
      mark: { type: 'area', opacity: 0.25 },
      // No `order` here: on an area it would split the band into one sliver per point.
      encoding: {
        x: enc.x,
        color: enc.color,
        y: { field: 'lo', type: 'quantitative', scale: scaleY, title: o.yLabel ?? 'y' },
        y2: { field: 'hi' },
      },
      transform: [{ filter: 'isValid(datum.lo)' }],
    });
  }
  const mark = o.mark ?? 'line';
  layers.push({
    mark: mark === 'linepoint' ? { type: 'line', point: true } : { type: mark, ...(mark === 'point' ? { filled: true, size: 12 } : {}) },
    encoding: enc,
    transform: [{ filter: '!datum.asPoint' }],
  });
  if (series.some((s) => s.points)) {
    layers.push({ mark: { type: 'point', filled: true, size: 18 }, encoding: enc, transform: [{ filter: 'datum.asPoint' }] });
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    width: o.width ?? 480,
    height: o.height ?? (o.equalAxes ? (o.width ?? 480) : 300),
    background: 'white',
    data: { values },
    layer: layers,
  } as unknown as TopLevelSpec;
  return vegaLiteToSvg(spec);
}

/** Write text (e.g. an SVG) to a file, creating folders. */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
