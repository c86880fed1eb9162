/**
 * One-pass kernels for the backends whose tensors live in host-visible memory (cpu, wasm): a few
 * fused operations the solvers run every step, where a chain of tfjs ops would cost one dispatch
 * (~3 µs on wasm) per op. On other backends (webgl, webgpu) callers keep using ops. Gradients come
 * from the callers' own recorded ops, so these kernels need none.
 */
import * as tf from '@tensorflow/tfjs';

const HOST_BACKENDS = ['cpu', 'wasm'] as const;

interface CpuLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}
interface WasmLike {
  typedArrayFromHeap(info: tf.TensorInfo): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let enabled = true;

/**
 * Turn the fused one-pass kernels on cpu and wasm on or off (on by default; off gives tfjs's ops,
 * for comparisons). Values agree to float32 rounding either way.
 *
 * @param on - whether cpu and wasm use the fused kernels
 * @example
 * ```ts
 * setFusedKernels(false); // every Runge–Kutta stage as mul + addN again
 * ```
 */
export function setFusedKernels(on: boolean): void {
  enabled = on;
}

/**
 * Register a float32 kernel computed in one pass on the host, for cpu and wasm (idempotent).
 * @param name - the kernel's name in tfjs's registry
 * @param outShape - the output's shape from the inputs' shapes and the attributes
 * @param compute - fills `out` from the inputs' values
 * @internal
 */
export function registerHostKernel<A>(
  name: string,
  outShape: (shapes: number[][], attrs: A) => number[],
  compute: (out: Float32Array, xs: readonly ArrayLike<number>[], attrs: A) => void,
): void {
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const xs = Object.values(inputs) as tf.TensorInfo[];
        const a = attrs as unknown as A;
        const shape = outShape(
          xs.map((x) => [...x.shape]),
          a,
        );
        if (backendName === 'wasm') {
          const wasm = backend as unknown as WasmLike;
          // The output first: allocating may grow the heap, which detaches earlier views.
          const out = wasm.makeOutput(shape, 'float32');
          compute(
            wasm.typedArrayFromHeap(out) as Float32Array,
            xs.map((x) => wasm.typedArrayFromHeap(x)),
            a,
          );
          return out;
        }
        const cpu = backend as unknown as CpuLike;
        const values = new Float32Array(tf.util.sizeFromShape(shape));
        compute(
          values,
          xs.map((x) => cpu.readSync(x.dataId)),
          a,
        );
        return cpu.makeTensorInfo(shape, 'float32', values);
      },
    });
  }
}

/**
 * Run a host kernel when it is enabled and the backend has it, on float32 inputs; undefined otherwise
 * (the caller uses ops). Not recorded for gradients by itself.
 * @param name - the kernel's name
 * @param xs - its inputs
 * @param attrs - its attributes
 * @internal
 */
export function runHostKernel<A extends object>(name: string, xs: readonly tf.Tensor[], attrs: A): tf.Tensor | undefined {
  if (!enabled || !tf.getKernel(name, tf.getBackend())) return undefined;
  if (!xs.every((x) => x.dtype === 'float32')) return undefined;
  return tf.engine().runKernel(name, xs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
