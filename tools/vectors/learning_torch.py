#!/usr/bin/env python3
"""Generates Tests/LearningTests/Vectors/torch-layers.json with PyTorch as the independent implementation.

Each case is a model spec in GFL's text form, the same model built from torch.nn modules, a batch of inputs, the
flat parameter vector (PyTorch state-dict order), the outputs, and the gradients of loss = sum(output * R) with
respect to the inputs and the parameters. Loss cases give logits, labels and teacher logits with the losses and
their gradients. Run with a Python that has torch:  python tools/vectors/learning_torch.py
"""
import json, pathlib, torch, torch.nn as nn, torch.nn.functional as F

torch.manual_seed(20261121)
torch.set_default_dtype(torch.float64)  # float64 reference; the Swift side is float32 with tolerances


def r(x):
    return [float(v) for v in x.detach().reshape(-1).tolist()]


def layer_case(name, spec, modules, shape, batch):
    m = nn.Sequential(*modules)
    for p in m.parameters():
        with torch.no_grad():
            p.uniform_(-0.5, 0.5)
    x = torch.randn(batch, *shape, requires_grad=True)
    y = m(x)
    R = torch.randn_like(y)
    (y * R).sum().backward()
    params = [p for p in m.parameters()]
    return {
        "name": name, "spec": spec, "batch": batch,
        "input": r(x), "params": [v for p in params for v in r(p)],
        "output": r(y.reshape(batch, -1)), "r": r(R),
        "grad_input": r(x.grad), "grad_params": [v for p in params for v in r(p.grad)],
    }


cases = [
    layer_case("conv k3 s2 p1", "input 2x7x7; conv 3 k3 s2 p1", [nn.Conv2d(2, 3, 3, stride=2, padding=1)], (2, 7, 7), 2),
    layer_case("conv k5 p2", "input 1x6x6; conv 2 k5 p2", [nn.Conv2d(1, 2, 5, padding=2)], (1, 6, 6), 3),
    layer_case("conv k2 s3", "input 3x8x7; conv 4 k2 s3", [nn.Conv2d(3, 4, 2, stride=3)], (3, 8, 7), 2),
    layer_case("dense", "input 5x1x1; dense 4", [nn.Flatten(), nn.Linear(5, 4)], (5, 1, 1), 3),
    layer_case("maxpool k2", "input 2x6x6; maxpool k2", [nn.MaxPool2d(2)], (2, 6, 6), 2),
    layer_case("maxpool k3 s2", "input 2x7x7; maxpool k3 s2", [nn.MaxPool2d(3, stride=2)], (2, 7, 7), 2),
    layer_case("avgpool k2", "input 2x6x6; avgpool k2", [nn.AvgPool2d(2)], (2, 6, 6), 2),
    layer_case("avgpool k3 s2", "input 1x7x7; avgpool k3 s2", [nn.AvgPool2d(3, stride=2)], (1, 7, 7), 2),
    layer_case("relu", "input 2x3x3; relu", [nn.ReLU()], (2, 3, 3), 2),
    layer_case("maxpool wide rows", "input 2x20x22; maxpool k2", [nn.MaxPool2d(2)], (2, 20, 22), 2),
    layer_case("conv relu maxpool wide", "input 2x20x22; conv 3 k3 p1; relu; maxpool k2",
               [nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)], (2, 20, 22), 2),
    layer_case("dense relu dense", "input 6x1x1; dense 5; relu; dense 3",
               [nn.Flatten(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)], (6, 1, 1), 4),
    layer_case("small lenet", "input 1x12x12; conv 3 k5 p2; relu; maxpool k2; conv 4 k3; relu; maxpool k2; flatten; dense 8; relu; dense 5",
               [nn.Conv2d(1, 3, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 5)], (1, 12, 12), 2),
]

# Losses (mean over the batch), with gradients with respect to the student logits.
rows, k = 4, 6
losses = []
for name in ["ce", "squared", "kl", "euclidean"]:
    z = (torch.randn(rows, k) * 3).requires_grad_(True)
    t = torch.randn(rows, k) * 3
    y = torch.randint(0, k, (rows,))
    lam, T, alpha = 0.3, 2.5, 0.7
    ce = F.cross_entropy(z, y)
    if name == "ce":
        loss = ce
    elif name == "squared":
        loss = ce + lam * ((t - z) ** 2).sum(dim=1).mean()
    elif name == "euclidean":
        loss = ce + lam * (t - z).norm(dim=1).mean()
    else:
        kl = F.kl_div(F.log_softmax(z / T, dim=1), F.log_softmax(t / T, dim=1), reduction="batchmean", log_target=True)
        loss = (1 - alpha) * ce + alpha * T * T * kl
    loss.backward()
    losses.append({"name": name, "rows": rows, "classes": k, "logits": r(z), "teacher": r(t),
                   "labels": [int(v) for v in y.tolist()], "lambda": lam, "temperature": T, "alpha": alpha,
                   "loss": loss.item(), "grad": r(z.grad)})

out = pathlib.Path(__file__).resolve().parents[2] / "Tests/LearningTests/Vectors/torch-layers.json"
out.write_text(json.dumps({"generator": f"torch {torch.__version__}", "layers": cases, "losses": losses}, indent=0))
print(f"wrote {out} ({out.stat().st_size} bytes)")
