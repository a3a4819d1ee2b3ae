"""Independent check of an exported HF GPT-2 directory (config.json + model.safetensors).

  python gpt2_numpy_check.py EXPORT_DIR CASES_JSON

CASES_JSON: {"ids": [[...], ...], "logits": [[[...vocab...] per position] per sequence]} from lmforge.
Reads safetensors by hand (8-byte header length, JSON header, little-endian data), runs GPT-2's
forward pass in numpy exactly as transformers' GPT2LMHeadModel defines it (Conv1D [in, out] weights,
gelu_new, tied head) and prints {"max_abs_diff": ...}. If transformers and torch are importable,
also loads the directory with GPT2LMHeadModel and reports its difference ("transformers_max_abs_diff");
if transformers and flax are, with FlaxGPT2LMHeadModel ("transformers_flax_max_abs_diff").
"""
import json
import struct
import sys

import numpy as np


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", meta
        s, e = meta["data_offsets"]
        out[name] = np.frombuffer(data[s:e], dtype="<f4").reshape(meta["shape"])
    return out


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def forward(w, cfg, ids):
    d, heads, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    t = len(ids)
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:t]
    mask = np.triu(np.full((t, t), -np.inf), 1)
    for i in range(cfg["n_layer"]):
        p = f"transformer.h.{i}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = np.split(qkv, 3, axis=-1)
        dh = d // heads
        q, k, v = (a.reshape(t, heads, dh).transpose(1, 0, 2) for a in (q, k, v))
        s = q @ k.transpose(0, 2, 1) / np.sqrt(dh) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        a = a.transpose(1, 0, 2).reshape(t, d)
        x = x + a @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = gelu_new(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    return x @ w["transformer.wte.weight"].T


def main(export_dir, cases_path):
    cfg = json.load(open(f"{export_dir}/config.json"))
    w = {k: v.astype(np.float64) for k, v in load_safetensors(f"{export_dir}/model.safetensors").items()}
    cases = json.load(open(cases_path))
    diff = 0.0
    for ids, logits in zip(cases["ids"], cases["logits"]):
        ref = forward(w, cfg, np.array(ids))
        diff = max(diff, float(np.abs(ref - np.array(logits)).max()))
    result = {"sequences": len(cases["ids"]), "max_abs_diff": diff}
    try:
        from transformers import FlaxGPT2LMHeadModel  # JAX on CPU: reads model.safetensors without torch
        flax_model = FlaxGPT2LMHeadModel.from_pretrained(export_dir)
        out = np.asarray(flax_model(np.array(cases["ids"])).logits)
        result["transformers_flax_max_abs_diff"] = float(np.abs(out - np.array(cases["logits"])).max())
    except ImportError:
        result["transformers_flax"] = "not installed"
    try:
        import torch  # noqa: F401
        from transformers import GPT2LMHeadModel
        model = GPT2LMHeadModel.from_pretrained(export_dir).eval()
        tdiff = 0.0
        for ids, logits in zip(cases["ids"], cases["logits"]):
            with torch.no_grad():
                out = model(torch.tensor([ids])).logits[0].numpy()
            tdiff = max(tdiff, float(np.abs(out - np.array(logits)).max()))
        result["transformers_max_abs_diff"] = tdiff
    except ImportError:
        result["transformers"] = "not installed"
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
