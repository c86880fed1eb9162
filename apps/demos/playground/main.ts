/**
 * Browser playground: pick a backend and a problem (or draw a path), train a small neural ODE live and
 * watch its vector field and trajectory. Uses the library like any user: @nde/core, @nde/solvers
 * (`solve` for training on cpu/wasm/webgl, `solveAsync` for drawing) and @nde/adjoint
 * (`valueAndGradsAsync` for training on WebGPU, which has no synchronous reads).
 *
 * URL parameters (used by the e2e test): ?backend=webgl&problem=spiral&iters=30&autostart=1
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { CNF, ConcatSquashMLP, TOY2D_NAMES, sampleToy2d } from '@nde/latent-models';
import { mulberry32 } from '@nde/core';
import { NeuralODE, sampleBatch, type FieldSample, type Trajectory } from '../src/shared/neural-ode.js';
import { PROBLEMS, groundTruth, type Problem } from '../src/shared/problems.js';
import { runDeviceCheck, type DeviceCheck } from '../src/shared/device-check.js';

// The wasm backend fetches its .wasm files at run time: point it at the copies Vite emits into the build.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

type BackendChoice = 'webgl' | 'webgpu' | 'wasm' | 'cpu';

/** State the e2e test reads. */
interface PlaygroundState {
  status: 'idle' | 'loading' | 'training' | 'done' | 'stopped' | 'error';
  backend: string;
  problem: string;
  losses: number[];
  nfe: number[];
  stepMs: number[];
  frames: number;
  error?: string;
}
const state: PlaygroundState = { status: 'idle', backend: '', problem: '', losses: [], nfe: [], stepMs: [], frames: 0 };
(window as unknown as { __playground: PlaygroundState }).__playground = state;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const backendSel = $<HTMLSelectElement>('backend');
const problemSel = $<HTMLSelectElement>('problem');
const modelSel = $<HTMLSelectElement>('model');
const solverSel = $<HTMLSelectElement>('solver');
const itersInput = $<HTMLInputElement>('iters');
const startBtn = $<HTMLButtonElement>('start');
const stopBtn = $<HTMLButtonElement>('stop');
const canvas = $<HTMLCanvasElement>('field');
const ctx = canvas.getContext('2d')!;
const lossCanvas = $<HTMLCanvasElement>('loss-chart');

const DRAW: Problem = { ...PROBLEMS[1]!, name: 'draw', label: 'Draw your own path', features: 'identity', t1: 6 };
const CNF_DRAW = 'draw-points';
function fillProblems(): void {
  problemSel.length = 0;
  if (modelSel.value === 'cnf') {
    for (const n of TOY2D_NAMES) problemSel.add(new Option(`${n} (FFJORD toy)`, n));
    problemSel.add(new Option('Draw your own points', CNF_DRAW));
  } else {
    for (const p of [...PROBLEMS, DRAW]) problemSel.add(new Option(p.label, p.name));
  }
}
const legendHtml = $('legend').innerHTML;
function setLegend(): void {
  $('legend').innerHTML =
    modelSel.value === 'cnf' ? '<span>background: learned density (viridis)</span><span>white dots: data</span>' : legendHtml;
}
modelSel.addEventListener('change', () => {
  fillProblems();
  setLegend();
  drawn = [];
  box = modelSel.value === 'cnf' ? [-4, 4] : [-2.2, 2.2];
  void showTarget();
});
// WebGPU is offered only when the browser has it and gives an adapter (headless Chromium has navigator.gpu but no adapter).
const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
let hasWebGpu = false;
const webgpuChecked = (async () => {
  try {
    hasWebGpu = !!gpu && !!(await gpu.requestAdapter());
  } catch {
    hasWebGpu = false;
  }
  if (!hasWebGpu) {
    const opt = Array.from(backendSel.options).find((o) => o.value === 'webgpu')!;
    opt.disabled = true;
    opt.text = gpu ? 'webgpu (no adapter here)' : 'webgpu (not in this browser)';
    if (backendSel.value === 'webgpu') {
      backendSel.value = 'webgl';
      document.getElementById('note')!.textContent = 'WebGPU is not available in this browser: using webgl.';
    }
  }
})();

const params = new URLSearchParams(location.search);
if (params.get('model')) modelSel.value = params.get('model')!;
fillProblems();
setLegend();
if (params.get('backend')) backendSel.value = params.get('backend')!;
if (params.get('problem')) problemSel.value = params.get('problem')!;
if (params.get('iters')) itersInput.value = params.get('iters')!;
if (params.get('solver')) solverSel.value = params.get('solver')!;

function setText(id: string, text: string): void {
  $(id).textContent = text;
}

function setStatus(s: PlaygroundState['status'], detail = ''): void {
  state.status = s;
  setText('status', detail ? `${s}: ${detail}` : s);
}

async function selectBackend(name: BackendChoice): Promise<string> {
  if (name === 'webgpu') {
    if (!hasWebGpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing or gives no adapter)');
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  let detail = '';
  if (name === 'webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    detail = gl ? `WebGL2, ${ext ? (gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) as string) : 'renderer hidden'}` : 'WebGL1';
  }
  return detail ? `${tf.getBackend()} (${detail})` : tf.getBackend();
}

// For the e2e test: the device-resident loop on a browser backend (ordinary vs device-resident solve, and a short fit).
(window as unknown as { __deviceCheck: (backend: BackendChoice) => Promise<DeviceCheck> }).__deviceCheck = async (backend) => {
  await selectBackend(backend);
  return runDeviceCheck();
};

// ---- drawing ------------------------------------------------------------------------------------

let box: [number, number] = [-2.2, 2.2];
const toPx = (x: number, y: number): [number, number] => [
  ((x - box[0]) / (box[1] - box[0])) * canvas.width,
  (1 - (y - box[0]) / (box[1] - box[0])) * canvas.height,
];
const toWorld = (px: number, py: number): [number, number] => [
  box[0] + (px / canvas.width) * (box[1] - box[0]),
  box[0] + (1 - py / canvas.height) * (box[1] - box[0]),
];

function viridis(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = [0, 1, 2].map((k) => Math.round(stops[i]![k]! + f * (stops[i + 1]![k]! - stops[i]![k]!)));
  return `rgb(${c.join(',')})`;
}

/** The data's colour on the canvas and in the legend (one value, so they cannot drift apart). */
const DATA_COLOR = '#999';
const MODEL_COLOR = '#e41a1c';

function drawPath(xy: ArrayLike<number>, color: string, width: number, alpha = 1): void {
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  for (let i = 0; i + 1 < xy.length; i += 2) {
    const [px, py] = toPx(xy[i]!, xy[i + 1]!);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();
  ctx.restore();
}

function drawScene(field: FieldSample | undefined, data: Trajectory | undefined, pred: Float32Array | undefined): void {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = '#eee';
  ctx.lineWidth = 1;
  for (let v = Math.ceil(box[0]); v <= box[1]; v++) {
    const [px, py] = toPx(v, v);
    ctx.beginPath();
    ctx.moveTo(px, 0);
    ctx.lineTo(px, canvas.height);
    ctx.moveTo(0, py);
    ctx.lineTo(canvas.width, py);
    ctx.stroke();
  }
  if (field) {
    const n = field.xs.length;
    const speeds = Array.from({ length: n * n }, (_, k) => Math.hypot(field.u[k]!, field.v[k]!));
    const max = Math.max(...speeds.filter(Number.isFinite), 1e-9);
    const cell = canvas.width / n;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const k = j * n + i;
        const s = speeds[k]! || 1;
        const [cx, cy] = toPx(field.xs[i]!, field.ys[j]!);
        const dx = (field.u[k]! / s) * cell * 0.35;
        const dy = (-field.v[k]! / s) * cell * 0.35;
        ctx.strokeStyle = ctx.fillStyle = viridis(0.1 + 0.75 * Math.sqrt(speeds[k]! / max));
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(cx - dx, cy - dy);
        ctx.lineTo(cx + dx, cy + dy);
        ctx.stroke();
        const a = Math.atan2(dy, dx);
        ctx.beginPath();
        ctx.moveTo(cx + dx, cy + dy);
        ctx.lineTo(cx + dx - 5 * Math.cos(a - 0.5), cy + dy - 5 * Math.sin(a - 0.5));
        ctx.lineTo(cx + dx - 5 * Math.cos(a + 0.5), cy + dy - 5 * Math.sin(a + 0.5));
        ctx.fill();
      }
    }
  }
  if (data) {
    drawPath(data.ys, DATA_COLOR, 3);
    const [px, py] = toPx(data.ys[0]!, data.ys[1]!);
    ctx.fillStyle = DATA_COLOR;
    ctx.beginPath();
    ctx.arc(px, py, 5, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (pred) drawPath(pred, MODEL_COLOR, 2.5);
}

function drawLoss(): void {
  const c = lossCanvas.getContext('2d')!;
  const { width: w, height: h } = lossCanvas;
  // Plot area inside margins: the title above it, y labels left of it, the iteration axis below it.
  const [left, right, top, bottom] = [40, 8, 18, 22];
  c.fillStyle = '#fff';
  c.fillRect(0, 0, w, h);
  c.fillStyle = '#444';
  c.font = '11px system-ui';
  c.textAlign = 'left';
  c.fillText(modelSel.value === 'cnf' ? 'training NLL (nats, log scale)' : 'training loss (log scale)', left, 12);
  const ls = state.losses.map((l) => (l > 0 && Number.isFinite(l) ? Math.log10(l) : NaN));
  const finite = ls.filter(Number.isFinite);
  if (finite.length < 2) return;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const px = (i: number): number => left + ((w - left - right) * i) / (ls.length - 1);
  const py = (l: number): number => top + (h - top - bottom) * (1 - (l - lo) / (hi - lo || 1));
  c.strokeStyle = '#bbb';
  c.lineWidth = 1;
  c.beginPath();
  c.moveTo(left, top);
  c.lineTo(left, h - bottom);
  c.lineTo(w - right, h - bottom);
  c.stroke();
  c.fillStyle = '#666';
  c.textAlign = 'right';
  const label = (v: number): string => (v >= 0.01 && v < 1000 ? v.toPrecision(2) : v.toExponential(0));
  c.fillText(label(10 ** hi), left - 4, top + 4);
  c.fillText(label(10 ** lo), left - 4, h - bottom);
  c.textAlign = 'center';
  c.fillText('1', px(0), h - bottom + 13);
  c.fillText(String(ls.length), px(ls.length - 1), h - bottom + 13);
  c.fillText('iteration', (left + w - right) / 2, h - bottom + 13);
  c.strokeStyle = '#377eb8';
  c.lineWidth = 1.5;
  c.beginPath();
  let started = false;
  ls.forEach((l, i) => {
    if (!Number.isFinite(l)) return;
    if (!started) c.moveTo(px(i), py(l));
    else c.lineTo(px(i), py(l));
    started = true;
  });
  c.stroke();
  c.textAlign = 'left';
}

// ---- the drawn dataset --------------------------------------------------------------------------

let drawn: [number, number][] = [];

function drawPoints(xy: ArrayLike<number>, color = 'rgba(20,20,20,0.55)'): void {
  ctx.fillStyle = color;
  for (let i = 0; i + 1 < xy.length; i += 2) {
    const [px, py] = toPx(xy[i]!, xy[i + 1]!);
    ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
  }
}

/** The density exp(logp) on an n×n grid (row 0 at the top) as a background image. */
function drawDensity(logp: ArrayLike<number>, n: number): void {
  const img = ctx.createImageData(n, n);
  const p = Array.from(logp, (v) => (Number.isFinite(v) ? Math.exp(v) : 0));
  const max = Math.max(...p, 1e-12);
  p.forEach((v, i) => {
    const c = viridis(v / max)
      .match(/\d+/g)!
      .map(Number);
    img.data.set([c[0]!, c[1]!, c[2]!, 255], 4 * i);
  });
  const off = document.createElement('canvas');
  off.width = off.height = n;
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}
let drawing = false;
canvas.addEventListener('pointerdown', (e) => {
  if (!['draw', CNF_DRAW].includes(problemSel.value) || state.status === 'training') return;
  drawing = true;
  drawn = [toWorld(e.offsetX, e.offsetY)];
});
canvas.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  drawn.push(toWorld(e.offsetX, e.offsetY));
  drawScene(undefined, undefined, undefined);
  if (problemSel.value === CNF_DRAW) drawPoints(drawn.flat());
  else drawPath(drawn.flat(), DATA_COLOR, 3);
});
canvas.addEventListener('pointerup', () => (drawing = false));
$('clear').addEventListener('click', () => {
  drawn = [];
  drawScene(undefined, undefined, undefined);
});

/** Resample the drawn path to n points equally spaced in arc length, at equally spaced times. */
function drawnTrajectory(n: number, t1: number): Trajectory {
  const pts = drawn.length >= 2 ? drawn : defaultDrawing();
  const cum = [0];
  for (let i = 1; i < pts.length; i++) cum.push(cum[i - 1]! + Math.hypot(pts[i]![0] - pts[i - 1]![0], pts[i]![1] - pts[i - 1]![1]));
  const total = cum[cum.length - 1]! || 1;
  const ys = new Float32Array(2 * n);
  let j = 0;
  for (let k = 0; k < n; k++) {
    const s = (total * k) / (n - 1);
    while (j < pts.length - 2 && cum[j + 1]! < s) j++;
    const f = Math.min(1, Math.max(0, (s - cum[j]!) / (cum[j + 1]! - cum[j]! || 1)));
    ys[2 * k] = pts[j]![0] + f * (pts[j + 1]![0] - pts[j]![0]);
    ys[2 * k + 1] = pts[j]![1] + f * (pts[j + 1]![1] - pts[j]![1]);
  }
  return { ts: Array.from({ length: n }, (_, k) => (t1 * k) / (n - 1)), ys };
}

/** A figure-of-S curve used when nothing was drawn. */
function defaultDrawing(): [number, number][] {
  return Array.from({ length: 60 }, (_, i) => {
    const t = i / 59;
    return [-1.6 + 3.2 * t, 1.2 * Math.sin(2 * Math.PI * t)] as [number, number];
  });
}

// ---- training -----------------------------------------------------------------------------------

let stopRequested = false;
const nextFrame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

async function train(): Promise<void> {
  stopRequested = false;
  startBtn.disabled = true;
  stopBtn.disabled = false;
  state.losses = [];
  state.nfe = [];
  state.stepMs = [];
  state.frames = 0;
  delete state.error;
  let model: NeuralODE | undefined;
  let opt: tf.Optimizer | undefined;
  try {
    setStatus('loading', 'backend');
    await webgpuChecked;
    const backend = backendSel.value as BackendChoice;
    state.backend = await selectBackend(backend);
    setText('backend-used', state.backend);
    const sync = backend !== 'webgpu';
    if (!sync)
      $('note').textContent =
        'WebGPU has no synchronous reads: training uses @nde/adjoint valueAndGradsAsync (async step grid, then a read-free replay).';
    else if (!$('note').textContent?.startsWith('WebGPU is not available')) $('note').textContent = '';
    if (modelSel.value === 'cnf') {
      $('note').textContent = '';
      await trainCnf();
      setStatus(stopRequested ? 'stopped' : 'done', `${state.losses.length} iterations`);
      return;
    }
    const problem = [...PROBLEMS, DRAW].find((p) => p.name === problemSel.value)!;
    state.problem = problem.name;
    box = problem.box;
    setStatus('loading', 'data');
    const data = problem.name === 'draw' ? drawnTrajectory(120, problem.t1) : await groundTruth(problem, 400);
    const method = solverSel.value as 'dopri5' | 'rk4';
    model = new NeuralODE({ features: problem.features, seed: 1, method, rtol: 1e-3, atol: 1e-4, dt: (data.ts[1]! - data.ts[0]!) / 2 });
    opt = tf.train.adam(0.01);
    const rng = mulberry32(0);
    const iters = Math.max(1, Number(itersInput.value) || 100);
    const y0 = tf.tensor2d([[data.ys[0]!, data.ys[1]!]]);
    const redraw = async (): Promise<void> => {
      const { ys, nfe } = await model!.predictAsync(y0, data.ts);
      const pred = (await ys.data()) as Float32Array;
      ys.dispose();
      drawScene(await model!.field(box[0], box[1], 17), data, pred);
      state.frames++;
      void nfe;
    };
    await redraw();
    setStatus('training');
    for (let it = 1; it <= iters && !stopRequested; it++) {
      const b = sampleBatch(data, 16, 8, rng);
      const t0 = performance.now();
      const r = sync ? model.trainStep(opt, b.y0, b.ts, b.target) : await model.trainStepAsync(opt, b.y0, b.ts, b.target);
      const ms = performance.now() - t0;
      tf.dispose([b.y0, b.target]);
      state.losses.push(r.loss);
      state.nfe.push(r.nfe);
      state.stepMs.push(ms);
      setText('iter', `${it} / ${iters}`);
      setText('loss', r.loss.toFixed(4));
      setText('nfe', String(r.nfe));
      setText('steptime', `${ms.toFixed(1)} ms`);
      if (it % 5 === 0 || it === iters) {
        await redraw();
        drawLoss();
      }
      await nextFrame();
    }
    y0.dispose();
    setStatus(stopRequested ? 'stopped' : 'done', `${state.losses.length} iterations`);
  } catch (e) {
    state.error = (e as Error).message;
    setStatus('error', state.error);
    console.error(e);
  } finally {
    model?.dispose();
    opt?.dispose();
    startBtn.disabled = false;
    stopBtn.disabled = true;
  }
}

/** Points the user sprayed (with a little jitter), or a toy data set. */
function cnfData(name: string, n: number, seed: number): Float32Array {
  if (name !== CNF_DRAW) return sampleToy2d(name as (typeof TOY2D_NAMES)[number], n, seed);
  const pts = drawn.length
    ? drawn
    : ([
        [-2, -2],
        [2, 2],
        [-2, 2],
        [2, -2],
      ] as [number, number][]);
  const rng = mulberry32(seed);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const p = pts[Math.floor(rng() * pts.length)]!;
    const g = (): number => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
    out[2 * i] = p[0] + 0.15 * g();
    out[2 * i + 1] = p[1] + 0.15 * g();
  }
  return out;
}

async function trainCnf(): Promise<void> {
  const backend = backendSel.value as BackendChoice;
  if (backend === 'webgpu') {
    throw new Error(
      'CNF training needs a backend with synchronous reads (cpu, wasm or webgl): CNF.trainStep reads the loss with dataSync.',
    );
  }
  box = [-4, 4];
  const name = problemSel.value;
  state.problem = name;
  const cnf = new CNF({
    field: new ConcatSquashMLP({ dim: 2, hidden: [32, 32], seed: 0 }),
    T: 0.5,
    trace: 'exact',
    solver: solverSel.value,
    rtol: 1e-3,
    atol: 1e-3,
    ...(solverSel.value === 'rk4' ? { dt: 0.1 } : {}),
    seed: 1,
  });
  const opt = tf.train.adam(1e-2);
  const n = 28;
  const gx = Array.from({ length: n }, (_, i) => box[0] + ((box[1] - box[0]) * (i + 0.5)) / n);
  const gridPts = tf.tensor2d(
    gx.flatMap((_, r) => gx.flatMap((x) => [x, gx[n - 1 - r]!])),
    [n * n, 2],
  );
  const shown = cnfData(name, 500, 123);
  const iters = Math.max(1, Number(itersInput.value) || 100);
  const redraw = async (): Promise<void> => {
    const lp = cnf.logProb(gridPts);
    const v = await lp.data();
    lp.dispose();
    drawScene(undefined, undefined, undefined);
    drawDensity(v, n);
    drawPoints(shown, 'rgba(255,255,255,0.5)');
    state.frames++;
  };
  try {
    await redraw();
    setStatus('training');
    for (let it = 1; it <= iters && !stopRequested; it++) {
      const x = tf.tensor2d(cnfData(name, 128, it), [128, 2]);
      const t0 = performance.now();
      const nll = cnf.trainStep(opt, x);
      const ms = performance.now() - t0;
      x.dispose();
      state.losses.push(nll);
      state.nfe.push(cnf.stats.nfeForward);
      state.stepMs.push(ms);
      setText('iter', `${it} / ${iters}`);
      setText('loss', `${nll.toFixed(3)} nats (NLL)`);
      setText('nfe', String(cnf.stats.nfeForward));
      setText('steptime', `${ms.toFixed(1)} ms`);
      if (it % 10 === 0 || it === iters) {
        await redraw();
        drawLoss();
      }
      await nextFrame();
    }
  } finally {
    gridPts.dispose();
    cnf.dispose();
    opt.dispose();
  }
}

/**
 * Before training: the canvas shows what the model will learn (the trajectory, or the points of the
 * density) and the status line says what Train does.
 */
async function showTarget(): Promise<void> {
  if (state.status === 'training' || state.status === 'loading') return;
  if (modelSel.value === 'cnf') {
    box = [-4, 4];
    drawScene(undefined, undefined, undefined);
    drawPoints(cnfData(problemSel.value, 800, 123), 'rgba(60,60,60,0.5)');
    setStatus('idle', 'Train fits a continuous normalizing flow to these points (the background will show its density).');
    return;
  }
  const problem = [...PROBLEMS, DRAW].find((p) => p.name === problemSel.value)!;
  box = problem.box;
  if (problem.name === 'draw') {
    drawScene(undefined, undefined, undefined);
    if (drawn.length >= 2) drawPath(drawn.flat(), DATA_COLOR, 3);
    setStatus('idle', 'drag on the canvas to draw a path; Train then fits a neural ODE to it (the default path when none is drawn).');
    return;
  }
  const data = await groundTruth(problem, 400);
  // Train may have started meanwhile: then its own drawing wins.
  if (state.status !== 'idle') return;
  drawScene(undefined, data, undefined);
  setStatus('idle', 'Train fits a neural ODE (red) to the grey trajectory; the arrows will show its learned vector field.');
}

startBtn.addEventListener('click', () => void train());
stopBtn.addEventListener('click', () => (stopRequested = true));
problemSel.addEventListener('change', () => void showTarget());
if (params.get('autostart') === '1') void train();
else void showTarget();
