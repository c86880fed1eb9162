/**
 * A tiny RGBA painter for GIF frames (vega renders SVG only without node-canvas):
 * antialiased round-capped lines and dots in world coordinates, over a colour-mapped background.
 */
import { colormap, type Rgba } from '@nde/plot';
import type { FieldSample } from '../shared/neural-ode.js';

export type Color = [number, number, number];

export class Painter {
  readonly img: Rgba;
  constructor(
    readonly width: number,
    readonly height: number,
    readonly box: [number, number],
    background: Color = [255, 255, 255],
  ) {
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([...background, 255], 4 * i);
    this.img = { width, height, data };
  }

  px(x: number): number {
    const [lo, hi] = this.box;
    return ((x - lo) / (hi - lo)) * (this.width - 1);
  }

  py(y: number): number {
    const [lo, hi] = this.box;
    return (1 - (y - lo) / (hi - lo)) * (this.height - 1);
  }

  /** Blend `color` at pixel (x, y) with coverage a ∈ [0, 1]. */
  blend(x: number, y: number, color: Color, a: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || a <= 0) return;
    const i = 4 * (y * this.width + x);
    const d = this.img.data;
    for (let k = 0; k < 3; k++) d[i + k] = Math.round((d[i + k] as number) * (1 - a) + color[k]! * a);
  }

  /** An antialiased disc at pixel coordinates. */
  discPx(cx: number, cy: number, r: number, color: Color, alpha = 1): void {
    for (let y = Math.floor(cy - r - 1); y <= Math.ceil(cy + r + 1); y++) {
      for (let x = Math.floor(cx - r - 1); x <= Math.ceil(cx + r + 1); x++) {
        const d = Math.hypot(x - cx, y - cy);
        this.blend(x, y, color, alpha * Math.min(1, Math.max(0, r + 0.5 - d)));
      }
    }
  }

  /** A line segment in pixel coordinates (stamped discs). */
  segmentPx(x0: number, y0: number, x1: number, y1: number, width: number, color: Color, alpha = 1): void {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.75));
    for (let k = 0; k <= n; k++)
      this.discPx(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n, width / 2, color, alpha / Math.max(1, width));
  }

  /** A polyline through world points `xy` (flat [x0, y0, x1, y1, …]). */
  polyline(xy: ArrayLike<number>, width: number, color: Color, alpha = 1): void {
    for (let i = 2; i + 1 < xy.length; i += 2) {
      this.segmentPx(this.px(xy[i - 2]!), this.py(xy[i - 1]!), this.px(xy[i]!), this.py(xy[i + 1]!), width, color, alpha);
    }
  }

  dots(xy: ArrayLike<number>, r: number, color: Color, alpha = 1): void {
    for (let i = 0; i + 1 < xy.length; i += 2) this.discPx(this.px(xy[i]!), this.py(xy[i + 1]!), r, color, alpha);
  }

  /** Background shaded by speed |f| and short arrows along the field. */
  field(f: FieldSample, arrowLen = 0.6): void {
    const n = f.xs.length;
    const speed = Array.from({ length: n * n }, (_, i) => Math.hypot(f.u[i]!, f.v[i]!));
    const max = Math.max(...speed.filter(Number.isFinite), 1e-9);
    const cell = this.width / n;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const k = j * n + i;
        const [r, g, b] = colormap(0.15 + 0.7 * Math.sqrt(speed[k]! / max));
        const cx = this.px(f.xs[i]!);
        const cy = this.py(f.ys[j]!);
        const s = speed[k]! || 1;
        const dx = (f.u[k]! / s) * cell * arrowLen;
        const dy = (-f.v[k]! / s) * cell * arrowLen;
        const col: Color = [r, g, b];
        this.segmentPx(cx - dx / 2, cy - dy / 2, cx + dx / 2, cy + dy / 2, 1.2, col, 0.9);
        this.discPx(cx + dx / 2, cy + dy / 2, 1.4, col, 0.9);
      }
    }
  }

  /** A thin progress strip along the bottom edge (fraction ∈ [0, 1]). */
  progress(fraction: number, color: Color = [80, 80, 80]): void {
    const w = Math.round(fraction * this.width);
    for (let y = this.height - 4; y < this.height; y++) for (let x = 0; x < w; x++) this.blend(x, y, color, 1);
  }
}
