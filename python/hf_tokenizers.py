"""HF `tokenizers` side of lmforge's tokenizer parity test and benchmark.

  check TOKENIZER_JSON CASES_JSONL   -> JSON summary: does HF give the same ids (and decode back)?
  encode TOKENIZER_JSON TEXTS_JSONL OUT_JSONL
  train-gpt2 CORPUS_TXT VOCAB OUT_JSON   HF-trained byte-level BPE (GPT-2 pre-tokenizer)
  bench TOKENIZER_JSON TEXTS_JSONL   -> JSON: single-thread encode MB/s
  train-bench TOKENIZER_JSON CORPUS_TXT VOCAB -> JSON: HF BpeTrainer time with our pre-tokenizer
  train-like TOKENIZER_JSON TEXTS_JSONL OUT_JSON   HF BpeTrainer with our tokenizer's pre-tokenizer and size

Cases/texts are JSON lines {"text": ..., "ids": [...]} (ids only for check).
"""
import json
import os
import sys
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAYON_NUM_THREADS", "1")

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check(tok_path, cases_path):
    tok = Tokenizer.from_file(tok_path)
    cases = read_jsonl(cases_path)
    mismatches, decode_mismatches = [], []
    for i, c in enumerate(cases):
        ids = tok.encode(c["text"], add_special_tokens=False).ids
        if ids != c["ids"]:
            first = next((k for k in range(min(len(ids), len(c["ids"]))) if ids[k] != c["ids"][k]), min(len(ids), len(c["ids"])))
            mismatches.append({"case": i, "text": c["text"][:200], "first_diff": first,
                               "hf": ids[max(0, first - 3):first + 5], "ours": c["ids"][max(0, first - 3):first + 5],
                               "hf_tokens": [tok.id_to_token(t) for t in ids[max(0, first - 3):first + 5]]})
        if tok.decode(c["ids"], skip_special_tokens=False) != c["text"]:
            decode_mismatches.append(i)
    print(json.dumps({"cases": len(cases), "tokens": sum(len(c["ids"]) for c in cases),
                      "mismatches": len(mismatches), "examples": mismatches[:5],
                      "decode_mismatches": len(decode_mismatches), "decode_examples": decode_mismatches[:5]}))


def encode(tok_path, texts_path, out_path):
    tok = Tokenizer.from_file(tok_path)
    with open(out_path, "w", encoding="utf-8") as out:
        for c in read_jsonl(texts_path):
            out.write(json.dumps({"ids": tok.encode(c["text"], add_special_tokens=False).ids}) + "\n")


def train_gpt2(corpus, vocab, out_path):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=int(vocab), special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train([corpus], trainer)
    tok.save(out_path)


def bench(tok_path, texts_path):
    tok = Tokenizer.from_file(tok_path)
    texts = [c["text"] for c in read_jsonl(texts_path)]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    for t in texts[: min(len(texts), 200)]:  # warm-up
        tok.encode(t, add_special_tokens=False)
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        n = 0
        for t in texts:
            n += len(tok.encode(t, add_special_tokens=False).ids)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print(json.dumps({"bytes": nbytes, "tokens": n, "seconds": best, "mb_per_s": nbytes / 1e6 / best}))


def like(tok_path, vocab=None):
    """An untrained HF byte-level BPE with the pre-tokenizer of the given tokenizer.json (so the same words),
    and a BpeTrainer for its vocabulary size (or vocab) with our added tokens."""
    ours = Tokenizer.from_file(tok_path)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = ours.pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=int(vocab or ours.get_vocab_size()), special_tokens=["<|endoftext|>", "<|pad|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    return tok, trainer


def train_bench(tok_path, corpus, vocab):
    """HF BpeTrainer with the same pre-tokenizer as the given tokenizer.json (so the same words)."""
    tok, trainer = like(tok_path, vocab)
    t0 = time.perf_counter()
    tok.train([corpus], trainer)
    print(json.dumps({"seconds": time.perf_counter() - t0, "vocab": tok.get_vocab_size(),
                      "threads": os.environ.get("RAYON_NUM_THREADS")}))


def train_like(tok_path, texts_path, out_path):
    """HF BpeTrainer with the pre-tokenizer and vocabulary size of the given tokenizer.json, on the texts of a
    JSONL, each text one sequence (train_from_iterator: training from a file would keep each line's newline)."""
    tok, trainer = like(tok_path)
    tok.train_from_iterator((c["text"] for c in read_jsonl(texts_path)), trainer)
    tok.save(out_path)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"check": check, "encode": encode, "train-gpt2": train_gpt2, "bench": bench, "train-bench": train_bench,
     "train-like": train_like}[cmd](*args)
