"""Training-step throughput of the same GPT-2 architecture in PyTorch on CPU (the baseline of bin/bench train).

Usage: python torch_train_bench.py THREADS [STEPS [WARMUP_STEPS]]
Same shapes as TrainBench's step: vocab 8192, context 128, d 128, 2 layers, 4 heads, batch 16,
tanh GELU, tied head, no dropout, AdamW (lr 3e-4, betas 0.9/0.95, weight decay 0.1), gradient
clipping 1.0, float32. Prints {"threads", "step_s", "tokens_per_s", "params"} as JSON.
"""
import json
import sys
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def main():
    threads = int(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    cfg = GPT2Config(vocab_size=8192, n_positions=128, n_embd=128, n_layer=2, n_head=4, activation_function="gelu_new",
                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, tie_word_embeddings=True)
    model = GPT2LMHeadModel(cfg)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    batch, t = 16, 128
    ids = torch.randint(0, 8192, (batch, t + 1))
    x, y = ids[:, :-1], ids[:, 1:]

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 8192), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sec = (time.perf_counter() - start) / steps
    print(json.dumps({"threads": threads, "step_s": sec, "tokens_per_s": batch * t / sec,
                      "params": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()
