#!/usr/bin/env python3
"""Independent float64 reference for the Fréchet distance and matrix square roots (scipy.linalg.sqrtm).

Run: python3 scripts/make-sqrtm-fixture.py  (needs Debian's python3-scipy)
Writes test/fixtures/sqrtm-scipy.json, read by test/scipy-crosscheck.test.ts.
"""
import json, os
import numpy as np
import scipy
from scipy import linalg

rng = np.random.default_rng(20240601)
cases = []
for d, cond in [(8, 1e2), (32, 1e6), (64, 1e8)]:
    def spd(cond):
        q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        ev = np.logspace(0, -np.log10(cond), d) * rng.uniform(0.5, 2.0)
        a = (q * ev) @ q.T
        return (a + a.T) / 2
    s1, s2 = spd(cond), spd(cond)
    mu1, mu2 = rng.standard_normal(d), rng.standard_normal(d)
    covmean, _ = linalg.sqrtm(s1 @ s2, disp=False)
    covmean = covmean.real
    fid = float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))
    sq = linalg.sqrtm(s1).real
    cases.append({
        "d": d, "condition": cond,
        "mu1": mu1.tolist(), "mu2": mu2.tolist(),
        "sigma1": s1.tolist(), "sigma2": s2.tolist(),
        "traceSqrtProduct": float(np.trace(covmean)),
        "fid": fid,
        "sqrtSigma1": sq.tolist(),
    })
out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "sqrtm-scipy.json")
with open(out, "w") as f:
    json.dump({"generator": "scripts/make-sqrtm-fixture.py", "scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}, f)
print("wrote", out, [(c["d"], c["fid"]) for c in cases])
