"""The Python side of `pnpm bench stiff`: scipy's solve_ivp (Radau / BDF / LSODA) on the classic stiff problems,
timed one solve at a time on request so the two sides alternate in one session (see
apps/benchmarks/src/stiff.bench.ts).

The problems (vector fields, analytic Jacobians, y0, spans) are imported from
tooling/reference/scripts/stiff_problems.py, the script that wrote tooling/reference/stiff_problems.json, so
both are the same definitions. Tolerances come with each request (the bench reads them from the JSON).

Protocol: one JSON object per line on stdin, one per line on stdout.
  {"cmd": "setup", "name": ..., "problem": key, "method": "BDF"|"Radau"|"LSODA", "jac": "analytic"|"fd",
   "rtol": ..., "atol": ...}                    ->  {"ok": true, "nfev", "njev", "nlu", "n_steps", "final_state", ...}
  {"cmd": "time", "name": ...}                  ->  {"ms": ..., "nfev", "njev", "nlu", ...}
jac "fd": no jac= argument, so scipy builds the Jacobian by finite differences (its num_jac; LSODA's
internal difference quotients). Run with Debian's /usr/bin/python3 (python3-scipy) and OPENBLAS_NUM_THREADS=1.
Not part of CI.
"""
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tooling", "reference", "scripts"))

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

import stiff_problems  # noqa: E402

PROBLEMS = {p["key"]: p for p in stiff_problems.PROBLEMS}
workloads = {}


def setup(name, key, method, jac, rtol, atol):
    p = PROBLEMS[key]
    kwargs = dict(method=method, rtol=rtol, atol=atol)
    if jac == "analytic":
        kwargs["jac"] = p["j"]
    elif jac != "fd":
        raise ValueError(f"jac must be 'analytic' or 'fd', not {jac!r}")
    y0 = np.array(p["y0"], float)

    def run():
        sol = solve_ivp(p["f"], p["t_span"], y0, **kwargs)
        if not sol.success:
            raise RuntimeError(f"{key} {method} jac={jac}: {sol.message}")
        return {"nfev": int(sol.nfev), "njev": int(sol.njev), "nlu": int(sol.nlu), "n_steps": int(len(sol.t) - 1),
                "final_state": sol.y[:, -1].tolist()}

    workloads[name] = run
    return run()


for line in sys.stdin:
    msg = json.loads(line)
    try:
        if msg["cmd"] == "setup":
            counts = setup(msg["name"], msg["problem"], msg["method"], msg["jac"], msg["rtol"], msg["atol"])
            out = {"ok": True, **counts, "scipy": scipy.__version__, "numpy": np.__version__,
                   "python": platform.python_version()}
        elif msg["cmd"] == "time":
            t = time.perf_counter()
            counts = workloads[msg["name"]]()
            out = {"ms": (time.perf_counter() - t) * 1000, **counts}
        else:
            out = {"error": "unknown command"}
    except Exception as e:  # report, keep serving
        out = {"error": repr(e)}
    print(json.dumps(out), flush=True)
