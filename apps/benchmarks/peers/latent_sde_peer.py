"""The Python side of `pnpm bench latent-sde`: one latent-SDE training step (forward, backward, Adam) with torchsde
at the sizes of torchsde's examples/latent_sde_lorenz.py (data 3, latent 4, context 64, hidden 128, Euler
dt 1e-2 with logqp, Gaussian observations of std 0.01), written here from the example's description: a GRU
encoder read backwards, q(z0) from the first context, posterior drift f([z, ctx(t)]), prior drift h(z),
per-coordinate diffusion nets (Linear(1, hidden), Softplus, Linear(hidden, 1), Sigmoid).

Protocol: one JSON object per line on stdin, one per line on stdout.
  {"cmd": "setup", "name": ..., "batch": B, "times": T, "t1": ...}  ->  {"ok": true, "steps": ..., "loss": ...}
  {"cmd": "time", "name": ...}                                      ->  {"ms": ..., "maxrss_kb": ...}
Run with /usr/bin/python3 (torch), OMP_NUM_THREADS=1; NDE_PEER_SRC holds the torchsde sources. Not part of CI.
"""
import json
import os
import resource
import sys
import time

sys.path[:0] = [p for p in os.environ.get("NDE_PEER_SRC", "").split(":") if p]
try:
    import trampoline  # noqa: F401  (torchsde's BrownianInterval needs it)
except ImportError:
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "shims"))

import torch  # noqa: E402
from torch import nn  # noqa: E402
import torchsde  # noqa: E402

torch.set_num_threads(1)

DATA, LATENT, CONTEXT, HIDDEN, NOISE_STD, DT = 3, 4, 64, 128, 0.01, 1e-2


def mlp(i, o):
    return nn.Sequential(nn.Linear(i, HIDDEN), nn.Softplus(), nn.Linear(HIDDEN, HIDDEN), nn.Softplus(), nn.Linear(HIDDEN, o))


class Model(nn.Module):
    sde_type = "ito"
    noise_type = "diagonal"

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(input_size=DATA, hidden_size=HIDDEN)
        self.to_ctx = nn.Linear(HIDDEN, CONTEXT)
        self.qz0 = nn.Linear(CONTEXT, 2 * LATENT)
        self.f_net = mlp(LATENT + CONTEXT, LATENT)
        self.h_net = mlp(LATENT, LATENT)
        self.g_nets = nn.ModuleList(
            [nn.Sequential(nn.Linear(1, HIDDEN), nn.Softplus(), nn.Linear(HIDDEN, 1), nn.Sigmoid()) for _ in range(LATENT)]
        )
        self.projector = nn.Linear(LATENT, DATA)
        self.pz0_mean = nn.Parameter(torch.zeros(1, LATENT))
        self.pz0_logstd = nn.Parameter(torch.zeros(1, LATENT))
        self.calls = 0

    def f(self, t, y):
        self.calls += 1
        ts, ctx = self._ctx
        i = min(int(torch.searchsorted(ts, t, right=True)), len(ts) - 1)
        return self.f_net(torch.cat((y, ctx[i]), dim=1))

    def h(self, t, y):
        return self.h_net(y)

    def g(self, t, y):
        ys = torch.split(y, 1, dim=1)
        return torch.cat([net(yi) for net, yi in zip(self.g_nets, ys)], dim=1)

    def loss(self, xs, ts):
        out, _ = self.gru(torch.flip(xs, dims=(0,)))
        ctx = torch.flip(self.to_ctx(out), dims=(0,))
        self._ctx = (ts, ctx)
        mean, logstd = self.qz0(ctx[0]).chunk(2, dim=1)
        z0 = mean + logstd.exp() * torch.randn_like(mean)
        zs, log_ratio = torchsde.sdeint(self, z0, ts, dt=DT, logqp=True, method="euler")
        log_pxs = torch.distributions.Normal(self.projector(zs), NOISE_STD).log_prob(xs).sum(dim=(0, 2)).mean(dim=0)
        qz0 = torch.distributions.Normal(mean, logstd.exp())
        pz0 = torch.distributions.Normal(self.pz0_mean, self.pz0_logstd.exp())
        kl = torch.distributions.kl_divergence(qz0, pz0).sum(dim=1).mean(dim=0) + log_ratio.sum(dim=0).mean(dim=0)
        return -log_pxs + kl


workloads = {}


def setup(name, batch, times, t1):
    torch.manual_seed(0)
    model = Model()
    ts = torch.linspace(0.0, t1, times)
    xs = torch.randn(times, batch, DATA)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)

    def step():
        opt.zero_grad()
        loss = model.loss(xs, ts)
        loss.backward()
        opt.step()
        return float(loss)

    model.calls = 0
    loss = step()
    workloads[name] = step
    return {"ok": True, "steps": model.calls, "loss": loss, "torch": torch.__version__}


for line in sys.stdin:
    msg = json.loads(line)
    if msg["cmd"] == "setup":
        reply = setup(msg["name"], msg["batch"], msg["times"], msg["t1"])
    else:
        start = time.perf_counter()
        workloads[msg["name"]]()
        reply = {"ms": (time.perf_counter() - start) * 1e3, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
