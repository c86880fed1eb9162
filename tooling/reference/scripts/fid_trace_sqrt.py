"""Reference for the Fréchet distance's cross term tr √(Σ₁Σ₂) at sizes where @nde/metrics takes its fast route.

Run with Debian's python3-scipy:
    /usr/bin/python3 tooling/reference/scripts/fid_trace_sqrt.py > tooling/reference/fid_trace_sqrt.json

The covariances come from a closed formula (no random generator), so the test rebuilds them in JS instead of
reading d×d matrices from the JSON: for r < m, c < d,
    X[r][c] = sin(1.3 r + 0.7 c + 0.011 r c + phase) / (1 + c / 10)
    Σ = Xᵀ X / m + ridge · I,   μ[c] = cos(0.1 c + phase)
with (phase, ridge) = (0, 0.01) for set 1 and (0.5, 2e-4) for set 2. Each case gives:
  trace_sqrtm   tr of scipy.linalg.sqrtm(Σ₁ @ Σ₂) (what pytorch-fid computes; Schur, loses ~ε·cond)
  trace_eigh    Σ √λ over numpy.linalg.eigvalsh(Lᵀ Σ₂ L), Σ₁ = L Lᵀ (LAPACK, float64: the accurate one)
  fid           ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 trace_eigh
"""
import json
import sys

import numpy as np
import scipy
from scipy import linalg


def stats(d, m, phase, ridge):
    r = np.arange(m, dtype=float)[:, None]
    c = np.arange(d, dtype=float)[None, :]
    x = np.sin(1.3 * r + 0.7 * c + 0.011 * r * c + phase) / (1 + c / 10)
    s = x.T @ x / m + ridge * np.eye(d)
    return np.cos(0.1 * np.arange(d) + phase), (s + s.T) / 2


cases = []
for d, m in [(64, 96), (600, 900)]:
    mu1, s1 = stats(d, m, 0.0, 1e-4)
    mu2, s2 = stats(d, m, 0.5, 2e-4)
    covmean, _ = linalg.sqrtm(s1 @ s2, disp=False)
    trace_sqrtm = float(np.trace(covmean.real))
    chol = np.linalg.cholesky(s1)
    lam = np.linalg.eigvalsh(chol.T @ s2 @ chol)
    trace_eigh = float(np.sum(np.sqrt(np.clip(lam, 0, None))))
    fid = float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_eigh)
    rel = abs(trace_sqrtm - trace_eigh) / trace_eigh
    print(f"d={d}: sqrtm vs eigvalsh {rel:.2e}, cond Σ₁ {np.linalg.cond(s1):.2e}, fid {fid:.6f}", file=sys.stderr)
    cases.append({"d": d, "m": m, "condition1": float(np.linalg.cond(s1)), "condition2": float(np.linalg.cond(s2)),
                  "trace_sqrtm": trace_sqrtm, "trace_eigh": trace_eigh, "sqrtm_vs_eigh": rel, "fid": fid,
                  "lambda_min": float(lam[0]), "lambda_max": float(lam[-1])})

json.dump({"scipy": scipy.__version__, "numpy": np.__version__,
           "formula": "X[r][c] = sin(1.3 r + 0.7 c + 0.011 r c + phase) / (1 + c/10); S = X^T X / m + ridge I; "
                      "mu[c] = cos(0.1 c + phase); set 1 (phase 0, ridge 1e-4), set 2 (phase 0.5, ridge 2e-4)",
           "cases": cases}, sys.stdout, indent=1)
print()
