"""Schedule-free AdamW, written independently of lmforge from the paper's Algorithm 1 (Defazio et al.
2024, "The Road Less Scheduled", arXiv 2405.15682) and the authors' reference implementation
(schedulefree/adamw_schedulefree_reference.py), in float64 numpy, on a small vector with fixed
gradients. Prints the values ScheduleFreeAdamWTest checks (regenerate with:
python3 python/schedulefree_reference.py; needs numpy).
"""
import json
import math

import numpy as np


def run(y0, grads, lr, beta1, beta2, eps, decay, warmup, r=0.0, weight_lr_power=2.0, bias_correction_in_denominator=False):
    """bias_correction_in_denominator: schedulefree >= 1.3's AdamWScheduleFree (v / (1 - beta2^(k+1)) under the
    root, the learning rate and the averaging weights without it); False: the paper's algorithm."""
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
        bc2 = 1 - beta2 ** (k + 1)
        lr_k = lr * sched if bias_correction_in_denominator else lr * sched * math.sqrt(bc2)
        lr_max = max(lr_k, lr_max)
        weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
        weight_sum += weight
        c = weight / weight_sum
        z = z - lr_k * decay * y
        v = beta2 * v + (1 - beta2) * g * g
        denom = np.sqrt(v / bc2) + eps if bias_correction_in_denominator else np.sqrt(v) + eps
        z = z - lr_k * g / denom
        x = (1 - c) * x + c * z
        y = beta1 * x + (1 - beta1) * z
        ys.append(y.tolist())
        xs.append(x.tolist())
    return ys, xs


if __name__ == "__main__":
    y0 = [0.5, -1.0, 2.0, 0.0]
    grads = [[0.1, -0.2, 0.3, 0.05], [0.05, 0.1, -0.4, 0.02], [-0.3, 0.2, 0.1, -0.01], [0.2, 0.0, 0.05, 0.3], [0.01, -0.05, 0.2, -0.2]]
    ys, xs = run(y0, grads, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, decay=0.01, warmup=2)
    ys_d, xs_d = run(y0, grads, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, decay=0.01, warmup=2, bias_correction_in_denominator=True)
    print(json.dumps({"paper": {"y": ys, "x": xs}, "denominator": {"y": ys_d, "x": xs_d}}))
