/** A dependency-free SVG reliability diagram. */
import type { ReliabilityDiagram } from './ece.js';

/** Options of {@link reliabilityDiagramSvg}. */
export interface ReliabilitySvgOptions {
  /** Image width in pixels (default 360). */
  width?: number;
  /** Image height in pixels (default 360). */
  height?: number;
  /** Title drawn on top (default "Reliability (ECE x.xxx)"). */
  title?: string;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/**
 * Render reliability-diagram data as an SVG string: accuracy bars per bin, the gap to confidence in
 * red, and the diagonal of perfect calibration. Write it to a `.svg` file or inline it in HTML.
 *
 * @param diagram - data from {@link reliabilityDiagram}; empty bins draw no bar, and its `ece` and `binning` go into the default title.
 * @param options - `width` and `height` in pixels (default 360 each) and `title` (default `Reliability (ECE x.xxx, binning)`; XML-escaped); see {@link ReliabilitySvgOptions}.
 *
 * @example
 * ```ts
 * const svg = reliabilityDiagramSvg(await reliabilityDiagram(probs, labels));
 * writeFileSync('reliability.svg', svg);
 * ```
 */
export function reliabilityDiagramSvg(diagram: ReliabilityDiagram, options: ReliabilitySvgOptions = {}): string {
  const { width = 360, height = 360, title } = options;
  const m = { l: 48, r: 12, t: 32, b: 40 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const x = (v: number): number => m.l + v * w;
  const y = (v: number): number => m.t + (1 - v) * h;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  parts.push(
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${esc(title ?? `Reliability (ECE ${diagram.ece.toFixed(3)}, ${diagram.binning})`)}</text>`,
  );
  for (const b of diagram.bins) {
    if (!b.count) continue;
    const x0 = x(b.lower);
    const bw = Math.max(x(b.upper) - x0 - 1, 1);
    parts.push(
      `<rect class="accuracy" x="${x0.toFixed(2)}" y="${y(b.accuracy).toFixed(2)}" width="${bw.toFixed(2)}" height="${(y(0) - y(b.accuracy)).toFixed(2)}" fill="#4c78a8"/>`,
    );
    const top = Math.max(b.accuracy, b.confidence);
    const bottom = Math.min(b.accuracy, b.confidence);
    parts.push(
      `<rect class="gap" x="${x0.toFixed(2)}" y="${y(top).toFixed(2)}" width="${bw.toFixed(2)}" height="${(y(bottom) - y(top)).toFixed(2)}" fill="#e45756" fill-opacity="0.45"/>`,
    );
  }
  parts.push(`<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#666" stroke-dasharray="4 3"/>`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="black"/>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<text x="${x(t)}" y="${y(0) + 14}" text-anchor="middle">${t}</text>`);
    parts.push(`<text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  }
  parts.push(`<text x="${m.l + w / 2}" y="${height - 8}" text-anchor="middle">confidence</text>`);
  parts.push(`<text x="14" y="${m.t + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.t + h / 2})">accuracy</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
