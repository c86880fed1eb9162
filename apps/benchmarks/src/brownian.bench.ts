/**
 * Brownian objects: 1000 random / sorted point queries and 1000 sequential increments (dt = 1e-3) on
 * [0, 1], shape [64, 4], float32 tensors returned (and disposed) per query — the setup of torchsde's
 * figures in ../shared/reference/sde_gbm_brownian.json (`brownian.queries`, size [64, 4], float32).
 * A point query is W(t) - W(t0), as torchsde's `bm(t)`.
 */
import { useBackend, type BackendName } from '@nde/core';
import { BrownianInterval, BrownianPath, VirtualBrownianTree, key, uniformArray, type BrownianMotion } from '@nde/brownian';
import { loadReference, timeIt, writeResults, type BenchRow } from './harness.js';

interface TorchTime {
  median_s: number;
}
interface TorchQueries {
  impl: string;
  size: number[];
  dtype: string;
  [workload: string]: unknown;
}
interface Reference {
  brownian?: { queries?: TorchQueries[] };
}

const SHAPE = [64, 4];
const N = 1000;
const WORKLOADS = [
  'create_plus_1000_random_point_queries',
  'create_plus_1000_sorted_point_queries',
  'create_plus_1000_sequential_increments_dt1e-3',
  'repeat_1000_random_point_queries_warm_object',
] as const;
type Workload = (typeof WORKLOADS)[number];

const IMPLS: { name: string; torch: string | undefined; make: () => BrownianMotion }[] = [
  {
    name: 'VirtualBrownianTree(tol=1e-6)',
    torch: 'BrownianTree(tol=1e-6 default)',
    make: () => new VirtualBrownianTree({ t0: 0, t1: 1, shape: SHAPE, key: 0, tol: 1e-6 }),
  },
  {
    name: 'BrownianInterval(tol=1e-6)',
    torch: 'BrownianInterval(default cache_size=45)',
    make: () => new BrownianInterval({ t0: 0, t1: 1, shape: SHAPE, key: 0, tol: 1e-6 }),
  },
  {
    name: 'BrownianInterval(levy=space-time)',
    torch: 'BrownianInterval(levy=space-time)',
    make: () => new BrownianInterval({ t0: 0, t1: 1, shape: SHAPE, key: 0, tol: 1e-6, levyArea: 'space-time' }),
  },
  {
    name: 'BrownianPath',
    torch: undefined,
    make: () => new BrownianPath({ t0: 0, t1: 1, shape: SHAPE, key: 0 }),
  },
];

const random = Array.from(uniformArray(key(2024), N));
const sorted = [...random].sort((a, b) => a - b);

function queries(bm: BrownianMotion, workload: Workload): void {
  if (workload === 'create_plus_1000_sequential_increments_dt1e-3') {
    for (let i = 0; i < N; i++) bm.evaluate(i * 1e-3, (i + 1) * 1e-3).dispose();
    return;
  }
  const ts = workload === 'create_plus_1000_sorted_point_queries' ? sorted : random;
  for (const t of ts) bm.evaluate(bm.t0, t).dispose();
}

export async function run(backends: string[]): Promise<void> {
  const ref = loadReference<Reference>('sde_gbm_brownian.json');
  const torch = ref?.brownian?.queries ?? [];
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    await useBackend(backend as BackendName);
    for (const impl of IMPLS) {
      const entry = torch.find((q) => q.impl === impl.torch && q.dtype === 'float32' && q.size.join(',') === SHAPE.join(','));
      for (const workload of WORKLOADS) {
        let fn: () => void;
        if (workload === 'repeat_1000_random_point_queries_warm_object') {
          const warm = impl.make();
          queries(warm, 'create_plus_1000_random_point_queries');
          fn = () => queries(warm, 'create_plus_1000_random_point_queries');
        } else {
          fn = () => queries(impl.make(), workload);
        }
        const t = await timeIt(fn, { warmup: 1, repeats: 5 });
        const torchTime = entry?.[workload] as TorchTime | string | undefined;
        const referenceMs = typeof torchTime === 'object' ? torchTime.median_s * 1000 : undefined;
        rows.push({
          backend,
          problem: workload,
          method: impl.name,
          ...t,
          ...(referenceMs !== undefined ? { referenceMs, ratioToReference: t.medianMs / referenceMs } : {}),
          torchsde: impl.torch ?? '',
        });
      }
    }
  }
  writeResults(
    'brownian',
    rows,
    `Shape [${SHAPE.join(', ')}], [0, 1], ${N} queries, float32 tensors returned per query. Reference: torchsde 0.2.6 (same workloads, ` +
      'machine-dependent). ratioToReference < 1 means faster. Our BrownianInterval values do not depend on query order ' +
      "(torchsde's do: max diff 2.7 between orders).",
  );
}
