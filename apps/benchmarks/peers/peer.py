"""The Python side of `pnpm bench peer`: the same workloads in torchdiffeq / torchsde, timed one run at a time
on request so the two sides alternate in one session (see apps/benchmarks/src/peer.bench.ts).

Protocol: one JSON object per line on stdin, one per line on stdout.
  {"cmd": "setup", "name": ..., "workload": ..., "params": {...}}  ->  {"ok": true, "nfe": ...}
  {"cmd": "time", "name": ...}                                      ->  {"ms": ..., "nfe": ...}
Needs Debian's python3-torch and the torchdiffeq / torchsde sources on sys.path (NDE_PEER_SRC, ':'-separated).
Not part of CI.
"""
import json
import os
import sys
import time

for p in reversed([p for p in os.environ.get("NDE_PEER_SRC", "").split(":") if p]):
    sys.path.insert(0, p)

import torch  # noqa: E402

torch.set_num_threads(1)
import torchdiffeq  # noqa: E402

DT = torch.float32
workloads = {}


def mlp_field(ws, act):
    layers = [(torch.tensor(w, dtype=DT, requires_grad=True), torch.tensor(b, dtype=DT, requires_grad=True)) for w, b in ws]
    params = [t for wb in layers for t in wb]

    class Field(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.nfe = 0
            self.ps = torch.nn.ParameterList([torch.nn.Parameter(p.detach().clone()) for p in params])

        def forward(self, t, y):
            self.nfe += 1
            h = y
            for i in range(len(layers)):
                w, b = self.ps[2 * i], self.ps[2 * i + 1]
                h = h @ w + b
                if i < len(layers) - 1:
                    h = act(h)
            return h

    return Field()


def torchsde_module():
    """torchsde from NDE_PEER_SRC (its BrownianInterval needs `trampoline`: a shim when it is not installed)."""
    try:
        import trampoline  # noqa: F401
    except ImportError:
        sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "shims"))
    import torchsde

    return torchsde


def mlp_apply(ps, h, act):
    for i in range(len(ps) // 2):
        h = h @ ps[2 * i] + ps[2 * i + 1]
        if i < len(ps) // 2 - 1:
            h = act(h)
    return h


def neural_sde(p, sde_type, g_scale):
    """Diagonal-noise SDE with drift MLP(tanh) and diffusion g_scale * sigmoid(MLP(tanh)); its parameters."""
    drift = [torch.tensor(x, dtype=DT, requires_grad=True) for wb in p["drift"] for x in wb]
    diffusion = [torch.tensor(x, dtype=DT, requires_grad=True) for wb in p["diffusion"] for x in wb]

    class NeuralSDE(torch.nn.Module):
        noise_type = "diagonal"

        def f(self, t, y):
            return mlp_apply(drift, y, torch.tanh)

        def g(self, t, y):
            return g_scale * torch.sigmoid(mlp_apply(diffusion, y, torch.tanh))

    sde = NeuralSDE()
    sde.sde_type = sde_type
    return sde, drift + diffusion


def sde_setup(name, p):
    """GBM Monte Carlo (forward) or a neural SDE (backprop): Euler at a fixed dt, Brownian motion from
    torchsde's BrownianInterval with the step as its dt hint (its fastest float32 setting)."""
    torchsde = torchsde_module()
    y0 = torch.tensor(p["y0"], dtype=DT)
    dt = float(p["dt"])
    ts = torch.tensor([0.0, float(p["t1"])], dtype=DT)
    steps = round(float(p["t1"]) / dt)

    def bm():
        return torchsde.BrownianInterval(t0=0.0, t1=float(p["t1"]), size=tuple(y0.shape), dt=dt, dtype=DT)

    if p["kind"] == "gbm":

        class GBM:
            noise_type = "diagonal"
            sde_type = "ito"

            def f(self, t, y):
                return 0.5 * y

            def g(self, t, y):
                return 0.3 * y

        sde = GBM()

        def run():
            with torch.no_grad():
                ys = torchsde.sdeint(sde, y0, ts, method="euler", dt=dt, bm=bm())
            ys[-1].sum().item()
            return steps

    elif p["kind"] == "neural-gradient":
        sde, params = neural_sde(p, "stratonovich", 1.0)
        method, adjoint = p["solver"], p["adjoint"]

        def run():
            if adjoint == "direct":
                ys = torchsde.sdeint(sde, y0, ts, method=method, dt=dt, bm=bm())
            else:
                extra = {"adjoint_method": "adjoint_reversible_heun"} if adjoint == "reversible" else {}
                ys = torchsde.sdeint_adjoint(sde, y0, ts, method=method, dt=dt, bm=bm(), adjoint_params=tuple(params), **extra)
            grads = torch.autograd.grad(ys[-1].sum(), params)
            grads[0].sum().item()
            return steps

    else:
        sde, params = neural_sde(p, "ito", 0.1)

        def run():
            ys = torchsde.sdeint(sde, y0, ts, method="euler", dt=dt, bm=bm())
            loss = (ys[-1] ** 2).sum()
            grads = torch.autograd.grad(loss, params)
            grads[0].sum().item()
            return steps

    workloads[name] = run
    return run()


def setup(name, workload, p):
    if workload == "sde":
        return sde_setup(name, p)
    f = mlp_field(p["layers"], torch.tanh)
    y0 = torch.tensor(p["y0"], dtype=DT)
    ts = torch.tensor([0.0, float(p["t1"])], dtype=DT)
    mode = p["mode"]
    opts = dict(method=p["method"])
    if "rtol" in p:
        opts.update(rtol=p["rtol"], atol=p["atol"])
    if "step" in p:
        opts.update(options=dict(step_size=p["step"]))

    def run():
        f.nfe = 0
        if mode == "forward":
            with torch.no_grad():
                y = torchdiffeq.odeint(f, y0, ts, **opts)
            y[-1].sum().item()
        elif mode == "backprop":
            y = torchdiffeq.odeint(f, y0, ts, **opts)
            loss = (y[-1] ** 2).sum()
            grads = torch.autograd.grad(loss, list(f.parameters()))
            grads[0].sum().item()
        else:  # adjoint
            y = torchdiffeq.odeint_adjoint(f, y0, ts, adjoint_params=tuple(f.parameters()), **opts)
            loss = (y[-1] ** 2).sum()
            grads = torch.autograd.grad(loss, list(f.parameters()))
            grads[0].sum().item()
        return f.nfe

    workloads[name] = run
    return run()


for line in sys.stdin:
    msg = json.loads(line)
    try:
        if msg["cmd"] == "setup":
            nfe = setup(msg["name"], msg["workload"], msg["params"])
            out = {"ok": True, "nfe": nfe, "torch": torch.__version__, "torchdiffeq": torchdiffeq.__version__}
            if msg["workload"] == "sde":
                out["torchsde"] = torchsde_module().__version__
        elif msg["cmd"] == "time":
            t = time.perf_counter()
            nfe = workloads[msg["name"]]()
            out = {"ms": (time.perf_counter() - t) * 1000, "nfe": nfe}
        else:
            out = {"error": "unknown command"}
    except Exception as e:  # report, keep serving
        out = {"error": repr(e)}
    print(json.dumps(out), flush=True)
