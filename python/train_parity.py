"""The PyTorch side of `bin/bench train-parity`: the same GPT-2 (transformers' GPT2LMHeadModel loaded
from our export-hf of the initial weights), the same minibatches (batches.safetensors, written by our
side in the order our trainer reads them), the same optimiser settings (parity.json), then per-step
losses and final parameters compared with ours:

  adamw                     torch.optim.AdamW, warm-up + cosine (our WarmupCosineSchedule), clip_grad_norm_,
                            decoupled weight decay on matrices and embeddings only (HF/nanoGPT groups)
  schedule_free_paper       schedulefree.AdamWScheduleFreePaper (the paper's algorithm, what lmforge implements)
  schedule_free_denominator schedulefree.AdamWScheduleFree (the package's default since 1.3)
  rounds                    2 workers x 5 inner steps per round, each with its own AdamW kept across rounds,
                            averaged, then DiLoCo's outer step (SGD with Nesterov momentum on start - average)

In float64 (`--dtype float64` on our side, recorded in parity.json), both sides compute in double; the
rounds keep what our round loop keeps in float32 (parameters and optimiser state handed between the
driver and the workers, the average, the outer momentum) rounded to float32 at the same points here.

Usage: python/train_parity.py DIR   (needs torch, transformers, safetensors, schedulefree: bin/python-env transformers)
Exit status 0 when every comparison is within its tolerance.
"""
import copy
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file
from transformers import GPT2LMHeadModel

FIRST_STEPS_TOL = 1e-4   # relative loss difference over the first 20 steps
ALL_STEPS_TOL = 1e-3     # relative loss difference over every step


def lr_at(step, o):
    """lmforge's WarmupCosineSchedule."""
    peak, warmup, total, min_ratio = o["learningRate"], o["warmupSteps"], o["totalSteps"], o["minLrRatio"]
    if step < warmup:
        return peak * (step + 1) / warmup
    if o["lrSchedule"] == "CONSTANT" or total <= warmup:
        return peak
    progress = min(1.0, (step - warmup) / (total - warmup))
    return peak * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def groups(model, decay):
    """Decay matrices and embeddings, not biases and LayerNorm gains (what lmforge's DL4J config does)."""
    named = list(model.named_parameters())
    return [{"params": [p for _, p in named if p.dim() >= 2], "weight_decay": decay},
            {"params": [p for _, p in named if p.dim() < 2], "weight_decay": 0.0}]


def loss_of(model, batch):
    x, y = batch[:, :-1], batch[:, 1:]
    logits = model(input_ids=x).logits
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def step(model, opt, batch, clip):
    loss = loss_of(model, batch)
    loss.backward()
    if clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss.item()


DTYPE = torch.float32


def f32(t):
    """What our round loop does to a value it hands on: rounded to float32 (kept in DTYPE)."""
    return t.float().to(DTYPE)


FLOOR_FACTOR = 10


def load(path):
    return GPT2LMHeadModel.from_pretrained(path, dtype=torch.float32).to(DTYPE)


def sequential(d, name, make_opt, batches, o, sched):
    model = load(f"{d}/{name}/initial")
    model.train()
    opt = make_opt(model)
    if hasattr(opt, "train"):
        opt.train()
    losses = []
    for k, b in enumerate(batches):
        if sched:
            for g in opt.param_groups:
                g["lr"] = lr_at(k, o)
        losses.append(step(model, opt, b, o["clipNorm"]))
    train_params = {n: p.detach().clone() for n, p in model.named_parameters()}
    if hasattr(opt, "eval"):
        opt.eval()  # schedule-free: the parameters become x
    eval_params = {n: p.detach().clone() for n, p in model.named_parameters()}
    return losses, train_params, eval_params


def rounds(d, batches, o, r):
    workers, h = r["workers"], r["steps_per_round"]
    base = load(f"{d}/adamw/initial")
    models = [copy.deepcopy(base) for _ in range(workers)]
    opts = [torch.optim.AdamW(groups(m, o["weightDecay"]), lr=o["learningRate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
            for m in models]
    start = [p.detach().clone() for p in base.parameters()]
    momentum = [torch.zeros_like(p) for p in start]
    losses = []
    per_round = workers * h
    for rnd in range(0, (len(batches) + per_round - 1) // per_round):
        total, n, trained = 0.0, 0, []
        for w in range(workers):
            mine = batches[rnd * per_round + w * h: rnd * per_round + (w + 1) * h]
            if not mine:
                continue
            with torch.no_grad():
                for p, s in zip(models[w].parameters(), start):
                    p.copy_(s)
            for j, b in enumerate(mine):
                for g in opts[w].param_groups:
                    g["lr"] = lr_at(rnd * h + j, o)
                total += step(models[w], opts[w], b, o["clipNorm"])
                n += 1
            with torch.no_grad():  # the worker hands back float32 parameters and optimiser state
                for p in models[w].parameters():
                    p.copy_(f32(p))
                    for v in opts[w].state[p].values():
                        if torch.is_tensor(v) and v.dim() > 0:
                            v.copy_(f32(v))
            trained.append(models[w])
        losses.append(total / n)
        with torch.no_grad():
            # the float32 sum of the workers' parameters times float32(1 / workers), as our driver averages
            avg = [f32(f32(torch.stack([list(m.parameters())[i] for m in trained]).float().sum(0)).float()
                       * torch.tensor(1.0 / len(trained), dtype=torch.float32)) for i in range(len(start))]
            for i in range(len(start)):  # torch.optim.SGD(nesterov=True, dampening=0) on g = start - average
                g = start[i].double() - avg[i].double()
                b = r["outer_momentum"] * momentum[i].double() + g
                momentum[i] = f32(b)
                start[i] = f32(start[i].double() - r["outer_lr"] * (g + r["outer_momentum"] * b))
    names = [n for n, _ in base.named_parameters()]
    return losses, dict(zip(names, start))


def rel_diffs(a, b):
    return [abs(x - y) / abs(y) for x, y in zip(a, b)]


def compare(label, ours, theirs, our_params, their_params, floor_losses):
    """One table row. The noise floor: PyTorch against itself in the other precision (floor_losses), how far
    float32 rounding alone moves PyTorch's own curve on this trajectory; no tolerance below it can hold in float32."""
    rel = rel_diffs(ours, theirs)
    first = max(rel[:20]) if rel else float("nan")
    every = max(rel) if rel else float("nan")
    floor = max(rel_diffs(floor_losses, theirs)) if floor_losses else float("nan")
    diff = max(float(np.max(np.abs(our_params[n] - their_params[n].float().numpy()))) for n in their_params if n in our_params)
    ok = first <= FIRST_STEPS_TOL and every <= ALL_STEPS_TOL and len(ours) == len(theirs)
    at_floor = not ok and len(ours) == len(theirs) and every <= FLOOR_FACTOR * floor
    verdict = "ok" if ok else f"within {FLOOR_FACTOR}x the noise floor" if at_floor else "DIFFERENT"
    print(f"| {label} | {len(ours)} | {ours[0]:.6f} / {theirs[0]:.6f} | {ours[-1]:.6f} / {theirs[-1]:.6f} | {first:.2e} | {every:.2e} | "
          f"{floor:.2e} | {diff:.2e} | {verdict} |")
    if not ok:  # where the curves part: the relative difference at a few steps
        print("    relative loss difference by step: " + ", ".join(f"{i}: {rel[i]:.1e}" for i in (0, 1, 2, 3, 5, 10, 12, 14, 16, 18, 20, 30, 40, 50, 59) if i < len(rel)),
              file=sys.stderr)
    return ok or at_floor


def ours_params(d, path):
    p = load_file(f"{d}/{path}/model.safetensors")
    p["lm_head.weight"] = p["transformer.wte.weight"]
    return p


def main():
    d = sys.argv[1]
    torch.manual_seed(0)
    torch.set_num_threads(2)
    cfg = json.load(open(f"{d}/parity.json"))
    global DTYPE
    DTYPE = torch.float64 if cfg["spec"].get("dtype") == "float64" else torch.float32
    print(f"precision: {DTYPE}, peak learning rate {cfg['optimizers']['adamw']['learningRate']}")
    o_adamw = cfg["optimizers"]["adamw"]
    batch = cfg["spec"]["batch"]
    tokens = torch.from_numpy(load_file(f"{d}/batches.safetensors")["tokens"].astype(np.int64))
    batches = [tokens[i:i + batch] for i in range(0, tokens.shape[0] - batch + 1, batch)]
    import schedulefree
    print("| run | steps | first loss, ours / torch | last loss | max rel. loss diff, first 20 | all steps | noise floor (torch f32 vs f64) | max abs param diff | |")
    print("|---|---|---|---|---|---|---|---|---|")

    def twice(run):  # PyTorch's run, and its noise floor: the same run in the other precision
        global DTYPE
        exact = run()
        DTYPE = torch.float32 if DTYPE == torch.float64 else torch.float64
        floor = run()
        DTYPE = torch.float32 if DTYPE == torch.float64 else torch.float64
        return exact, floor[0]

    ok = True
    (losses, train_p, _), floor = twice(lambda: sequential(d, "adamw", lambda m: torch.optim.AdamW(
        groups(m, o_adamw["weightDecay"]), lr=o_adamw["learningRate"], betas=(o_adamw["beta1"], o_adamw["beta2"]), eps=o_adamw["epsilon"]),
        batches, o_adamw, True))
    ok &= compare("AdamW + warm-up/cosine + clipping + decay", cfg["adamw"]["losses"], losses, ours_params(d, "adamw/final-train"), train_p, floor)
    for key, cls, label in [("schedule_free", schedulefree.AdamWScheduleFreePaper, "schedule-free (paper) vs AdamWScheduleFreePaper"),
                            ("schedule_free_denominator", schedulefree.AdamWScheduleFree, "schedule-free (denominator) vs AdamWScheduleFree")]:
        o = cfg["optimizers"][key]
        (losses, train_p, eval_p), floor = twice(lambda: sequential(d, key.replace("_", "-"), lambda m: cls(
            groups(m, o["weightDecay"]), lr=o["learningRate"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], warmup_steps=o["warmupSteps"],
            r=o["sfR"], weight_lr_power=o["sfWeightLrPower"]), batches, o, False))
        ok &= compare(label + ", y", cfg[key]["losses"], losses, ours_params(d, key.replace("_", "-") + "/final-train"), train_p, floor)
        ok &= compare(label + ", x", cfg[key]["losses"], losses, ours_params(d, key.replace("_", "-") + "/final-eval"), eval_p, floor)
    (losses, params), floor = twice(lambda: rounds(d, batches, o_adamw, cfg["rounds"]))
    ok &= compare("2 workers x 5 steps, per-worker AdamW, Nesterov 0.7/0.9 (per round)", cfg["rounds"]["losses"], losses,
                  ours_params(d, "rounds/final-train"), params, floor)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
