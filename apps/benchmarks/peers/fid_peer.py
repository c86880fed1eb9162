"""The Python side of `pnpm bench metrics`: what pytorch-fid does with numpy / scipy, timed one run at a time on
request so the two sides alternate in one session (see apps/benchmarks/src/metrics.bench.ts).

Protocol: one JSON object per line on stdin, one per line on stdout.
  {"cmd": "setup", "n": 10000, "d": 2048}  ->  {"ok": true, "numpy", "scipy", "python"}
  {"cmd": "stats"}                         ->  {"ms"}   mean + np.cov of one [n, d] float32 feature set
  {"cmd": "trace"}                         ->  {"ms", "trace"}   tr scipy.linalg.sqrtm(S1 @ S2) (with the product)
Features are correlated Gaussians Z A / sqrt(d) as on our side (the timings do not depend on the values).
Run with Debian's /usr/bin/python3 and OPENBLAS_NUM_THREADS=1. Not part of CI.
"""
import json
import platform
import sys
import time

import numpy as np
import scipy
from scipy import linalg

state = {}


def setup(n, d):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((d, d)) / np.sqrt(d)).astype(np.float32)
    feats = [(rng.standard_normal((n, d)).astype(np.float32) @ a) + shift for shift in (0.0, 0.1)]
    state["x"] = feats[0]
    state["s"] = [np.cov(f, rowvar=False) for f in feats]


def stats():
    x = state["x"]
    t = time.perf_counter()
    mu = np.mean(x, axis=0)
    sigma = np.cov(x, rowvar=False)
    ms = (time.perf_counter() - t) * 1e3
    assert mu.shape[0] == sigma.shape[0]
    return {"ms": ms}


def trace():
    s1, s2 = state["s"]
    t = time.perf_counter()
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    tr = float(np.trace(covmean.real))
    return {"ms": (time.perf_counter() - t) * 1e3, "trace": tr}


for line in sys.stdin:
    msg = json.loads(line)
    try:
        if msg["cmd"] == "setup":
            setup(int(msg["n"]), int(msg["d"]))
            out = {"ok": True, "numpy": np.__version__, "scipy": scipy.__version__, "python": platform.python_version()}
        elif msg["cmd"] == "stats":
            out = stats()
        elif msg["cmd"] == "trace":
            out = trace()
        else:
            out = {"error": f"unknown cmd {msg['cmd']!r}"}
    except Exception as e:  # report, keep serving
        out = {"error": repr(e)}
    print(json.dumps(out), flush=True)
