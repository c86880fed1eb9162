"""Reference values for the natural cubic spline test (packages/solvers/test/cde-interpolation.test.ts).

scipy.interpolate.CubicSpline(bc_type='natural') through a small irregular series; run with Debian's
python3-scipy:  /usr/bin/python3 tooling/reference/scripts/natural_spline.py > tooling/reference/natural_spline.json
"""
import json

import numpy as np
from scipy.interpolate import CubicSpline

rng = np.random.default_rng(20261201)
T = 12
ts = np.sort(np.concatenate([[0.0], rng.uniform(0.0, 3.0, T - 2), [3.0]]))
values = rng.normal(size=(2, T, 2))  # [batch, T, channels]
query = np.linspace(0.0, 3.0, 41)
out, der = [], []
for b in range(2):
    cs = CubicSpline(ts, values[b], bc_type="natural", axis=0)
    out.append(cs(query).tolist())
    der.append(cs(query, 1).tolist())
print(json.dumps({
    "source": "scipy.interpolate.CubicSpline(bc_type='natural'), scipy " + __import__("scipy").__version__,
    "ts": ts.tolist(),
    "values": values.tolist(),
    "query": query.tolist(),
    "evaluate": out,
    "derivative": der,
}))
