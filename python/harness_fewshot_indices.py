"""Which demonstrations lm-evaluation-harness picks: its own ContextSampler (lm_eval.api.samplers, >= 0.4.13)
run over a pool of index documents, seeded as its evaluator seeds it (task.set_fewshot_seed(fewshot_random_seed),
default 1234), drawing for the evaluation documents in order, with the example passed for exclusion only where
the harness passes it (its fewshot_split equals its test_split: xstorycloze, where both are unset).
Prints, per case, the demonstration indices of the first documents: the values EvalFewShotSamplerTest pins.

Usage: python harness_fewshot_indices.py   (needs lm_eval; no model, no data)
"""
import json

from lm_eval.api.samplers import ContextSampler

# task, pool size (the demonstration split: xcopa validation 100, xstorycloze train 360; xwinograd: its test split),
# whether the harness passes the example for exclusion, whether the pool is the evaluation split itself
CASES = [("xcopa", 100, False, False), ("xstorycloze", 360, True, False), ("xwinograd_fr", 83, False, True),
         ("xwinograd_en", 2325, False, True)]


def main():
    out = {}
    for task, pool, exclude, same_split in CASES:
        docs = [{"i": i} for i in range(pool)]
        for k in (1, 4, 8):
            for seed in (1234, 0):
                s = ContextSampler(docs)
                s.set_rnd(seed)
                picks = []
                for d in range(6):
                    doc = docs[d] if same_split else {"eval": d}
                    picks.append([x["i"] for x in s.sample(n=k, eval_doc=doc if exclude else None)])
                out[f"{task}|{k}|{seed}"] = picks
    print(json.dumps(out))


if __name__ == "__main__":
    main()
