/**
 * End-to-end: build the playground (Vite JS API), serve dist/ from a tiny node:http server, open it in
 * Debian's headless Chromium through playwright-core, train a neural ODE on WebGL for a few iterations,
 * and check the loss falls and the canvas is drawn. Screenshot: test/output/playground-webgl.png.
 *
 * Skips (with a message) when Chromium is missing: `apt-get install -y chromium` (or set CHROMIUM_PATH).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = join(appRoot, 'dist/playground');
const outDir = join(appRoot, 'test/output');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(
    `[skip] playground e2e: no Chromium at ${chromiumPath}. Install it with \`apt-get install -y chromium\` (Debian/Ubuntu) or set CHROMIUM_PATH.`,
  );
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Debian's headless Chromium with software WebGL2 (SwiftShader): no GPU needed. */
async function launchChromium(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
  });
}

interface PlaygroundState {
  status: string;
  backend: string;
  losses: number[];
  nfe: number[];
  stepMs: number[];
  frames: number;
  error?: string;
}

describe.skipIf(!hasChromium)('playground in headless Chromium (webgl)', () => {
  let server: Server | undefined;
  let url = '';

  beforeAll(async () => {
    const { build } = await import('vite');
    const t = performance.now();
    await build({ configFile: join(appRoot, 'playground/vite.config.ts'), logLevel: 'warn' });
    console.log(`playground built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    expect(existsSync(join(dist, 'index.html'))).toBe(true);
    server = await serve(dist);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 240_000);

  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('before Train: the target trajectory is drawn, the status says what Train does, no request 404s', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const missing: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${url}?backend=webgl&problem=spiral`);
      await page.waitForFunction(() => /Train fits/.test(document.getElementById('status')?.textContent ?? ''), undefined, {
        timeout: 60_000,
        polling: 250,
      });
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, 'playground-before.png'), fullPage: true });
      const grey = await page.evaluate(() => {
        const c = document.getElementById('field') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (Math.abs(d[i]! - 153) < 12 && Math.abs(d[i + 1]! - 153) < 12 && Math.abs(d[i + 2]! - 153) < 12) n++;
        return n;
      });
      expect(grey).toBeGreaterThan(300); // the data path, in the legend's grey
      expect(missing).toEqual([]);
      expect(await page.textContent('#status')).not.toMatch(/tensors/);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('device-resident solve on webgl: the ordinary loop’s steps with one read per 8, and a fit trained through it', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${url}?backend=webgl&problem=spiral`);
      // Wait until the page is idle (the target drawn), so its own tensors do not count as the check's.
      await page.waitForFunction(() => /Train fits/.test(document.getElementById('status')?.textContent ?? ''), undefined, {
        timeout: 60_000,
        polling: 250,
      });
      const r = await page.evaluate(() =>
        (window as unknown as { __deviceCheck: (b: string) => Promise<import('../src/shared/device-check.js').DeviceCheck> }).__deviceCheck(
          'webgl',
        ),
      );
      console.log(
        `webgl device-resident: ordinary ${r.ordinary.accepted}/${r.ordinary.rejected} (${r.ordinary.hostReads} reads), device ${r.device.accepted}/${r.device.rejected} (${r.device.hostReads} reads, ${r.device.wastedSteps} wasted), gap ${r.gap.toExponential(1)}; fit ${r.losses[0]?.toFixed(3)} → ${r.losses.at(-1)?.toFixed(3)}, reads ${r.trainReads.join(',')}`,
      );
      expect(r.backend).toBe('webgl');
      expect(r.device.accepted).toBe(r.ordinary.accepted);
      expect(r.device.rejected).toBe(r.ordinary.rejected);
      expect(r.gap).toBeLessThan(1e-4);
      expect(r.device.hostReads).toBeLessThanOrEqual(Math.ceil((r.device.accepted + r.device.rejected) / 8) + 1);
      expect(r.losses.at(-1) as number).toBeLessThan(0.7 * (r.losses[0] as number));
      expect(r.leaked).toBe(0);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('trains a neural ODE on webgl: loss falls, canvas drawn, screenshot saved', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const logs: string[] = [];
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(`${url}?backend=webgl&problem=spiral&iters=40&autostart=1`);
      await page.waitForFunction(
        () =>
          ['done', 'error', 'stopped'].includes((window as unknown as { __playground?: { status: string } }).__playground?.status ?? ''),
        undefined,
        { timeout: 150_000, polling: 500 },
      );
      const s = await page.evaluate(() => (window as unknown as { __playground: PlaygroundState }).__playground);
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, 'playground-webgl.png'), fullPage: true });
      expect(s.error, logs.join('\n')).toBeUndefined();
      expect(s.status).toBe('done');
      expect(s.backend).toMatch(/^webgl/);
      expect(s.losses.length).toBe(40);
      expect(s.losses.every(Number.isFinite)).toBe(true);
      const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
      expect(mean(s.losses.slice(-8))).toBeLessThan(0.7 * mean(s.losses.slice(0, 8)));
      expect(s.frames).toBeGreaterThan(2);
      // Pixel check: the field canvas has arrows (many non-white pixels) and the red predicted trajectory.
      const px = await page.evaluate(() => {
        const c = document.getElementById('field') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        let red = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i]! < 235 || d[i + 1]! < 235 || d[i + 2]! < 235) ink++;
          if (d[i]! > 180 && d[i + 1]! < 80 && d[i + 2]! < 80) red++;
        }
        return { ink: ink / (c.width * c.height), red };
      });
      expect(px.ink).toBeGreaterThan(0.03);
      expect(px.red).toBeGreaterThan(100);
      console.log(
        `playground e2e: ${s.backend}; loss ${s.losses[0]!.toFixed(4)} → ${s.losses.at(-1)!.toFixed(4)}; NFE/step ${mean(s.nfe).toFixed(1)}; ` +
          `step ${mean(s.stepMs).toFixed(0)} ms; ink ${(100 * px.ink).toFixed(1)}%; screenshot ${join(outDir, 'playground-webgl.png')}`,
      );
    } finally {
      await browser.close();
    }
  }, 200_000);

  it('trains a CNF on webgl (8 gaussians): NLL falls, density drawn, screenshot saved', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const logs: string[] = [];
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(`${url}?backend=webgl&model=cnf&problem=8gaussians&iters=20&autostart=1`);
      await page.waitForFunction(
        () =>
          ['done', 'error', 'stopped'].includes((window as unknown as { __playground?: { status: string } }).__playground?.status ?? ''),
        undefined,
        { timeout: 150_000, polling: 500 },
      );
      const s = await page.evaluate(() => (window as unknown as { __playground: PlaygroundState }).__playground);
      await page.screenshot({ path: join(outDir, 'playground-cnf-webgl.png'), fullPage: true });
      expect(s.error, logs.join('\n')).toBeUndefined();
      expect(s.losses.length).toBe(20);
      const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
      expect(mean(s.losses.slice(-5))).toBeLessThan(mean(s.losses.slice(0, 5)) - 0.1);
      // The density background covers the canvas: few white pixels left.
      const white = await page.evaluate(() => {
        const c = document.getElementById('field') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let w = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i]! > 245 && d[i + 1]! > 245 && d[i + 2]! > 245) w++;
        return w / (c.width * c.height);
      });
      expect(white).toBeLessThan(0.2);
      console.log(
        `playground e2e (CNF): NLL ${s.losses[0]!.toFixed(3)} → ${s.losses.at(-1)!.toFixed(3)}; step ${mean(s.stepMs).toFixed(0)} ms; NFE ${mean(s.nfe).toFixed(1)}`,
      );
    } finally {
      await browser.close();
    }
  }, 200_000);
});
