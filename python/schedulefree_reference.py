"""Schedule-free AdamW, written independently of lmforge from the paper's Algorithm 1 (Defazio et al.
2024, "The Road Less Scheduled", arXiv 2405.15682) and the authors' reference implementation
(schedulefree/adamw_schedulefree_reference.py), in float64 numpy, on a small vector with fixed
gradients. Prints the values ScheduleFreeAdamWTest checks (regenerate with:
python3 python/schedulefree_reference.py; needs numpy).
"""
import json
import math

import numpy as np


def run(y0, grads, lr, beta1, beta2, eps, decay, warmup, r=0.0, weight_lr_power=2.0):
    z = np.array(y0, dtype=np.float64)
    x = z.copy()
    y = z.copy()
    v = np.zeros_like(z)
    lr_max = -1.0
    weight_sum = 0.0
    ys, xs = [], []
    for k, g in enumerate(grads):
        g = np.array(g, dtype=np.float64)
        sched = (k + 1) / warmup if k < warmup else 1.0
        lr_k = lr * sched * math.sqrt(1 - beta2 ** (k + 1))
        lr_max = max(lr_k, lr_max)
        weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
        weight_sum += weight
        c = weight / weight_sum
        z = z - lr_k * decay * y
        v = beta2 * v + (1 - beta2) * g * g
        z = z - lr_k * g / (np.sqrt(v) + eps)
        x = (1 - c) * x + c * z
        y = beta1 * x + (1 - beta1) * z
        ys.append(y.tolist())
        xs.append(x.tolist())
    return ys, xs


if __name__ == "__main__":
    y0 = [0.5, -1.0, 2.0, 0.0]
    grads = [[0.1, -0.2, 0.3, 0.05], [0.05, 0.1, -0.4, 0.02], [-0.3, 0.2, 0.1, -0.01], [0.2, 0.0, 0.05, 0.3], [0.01, -0.05, 0.2, -0.2]]
    ys, xs = run(y0, grads, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, decay=0.01, warmup=2)
    print(json.dumps({"y": ys, "x": xs}))
