// odeint of a damped harmonic oscillator x'' + 2ζω x' + ω² x = 0 (state [x, v]), against its closed form.
// Run: node damped-oscillator.mjs   (in this repository: pnpm example damped-oscillator)
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@nde/core';
import { odeint } from '@nde/solvers';

await useBackend('wasm');
const omega = 2;
const zeta = 0.1;
const field = (t, y) =>
  tf.tidy(() => {
    const [x, v] = tf.split(y, 2, -1);
    return tf.concat([v, tf.sub(tf.mul(-omega * omega, x), tf.mul(2 * zeta * omega, v))], -1);
  });
const ts = Array.from({ length: 11 }, (_, i) => i * 0.5); // 0, 0.5, …, 5
const ys = odeint(field, tf.tensor1d([1, 0]), ts, { method: 'dopri5', rtol: 1e-7, atol: 1e-9 }); // [11, 2]

// Closed form for x(0) = 1, v(0) = 0 (underdamped).
const wd = omega * Math.sqrt(1 - zeta * zeta);
const exact = (t) => Math.exp(-zeta * omega * t) * (Math.cos(wd * t) + ((zeta * omega) / wd) * Math.sin(wd * t));
const x = (await ys.array()).map((row) => row[0]);
const worst = Math.max(...ts.map((t, i) => Math.abs(x[i] - exact(t))));
ts.forEach((t, i) => console.log(`t=${t.toFixed(1)}  x=${x[i].toFixed(6)}  exact=${exact(t).toFixed(6)}`));
console.log(`max |error| = ${worst.toExponential(2)}`);
ys.dispose();
if (worst > 1e-4) process.exit(1);
