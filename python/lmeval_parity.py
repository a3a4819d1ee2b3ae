"""Runs lm-evaluation-harness on a local copy of a task and prints its per-example scores as JSON.

Usage: python lmeval_parity.py MODEL_DIR DATA_JSONL LANG LIMIT
MODEL_DIR is an `export-hf` directory (GPT2LMHeadModel + tokenizer). The task is the harness's own
XCOPA definition for LANG (doc_to_text / doc_to_choice imported from lm_eval.tasks.xcopa.utils),
pointed at DATA_JSONL instead of the Hugging Face hub (no network here), 0-shot, float32 on CPU.
Prints {"examples": [{"doc_id", "lls", "pred", "gold"}...], "acc": ...}.
"""
import json
import os
import sys
import tempfile

from lm_eval.evaluator import evaluate
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager


def main():
    model_dir, data, lang, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    task = f"lmforge_xcopa_{lang}"
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "utils.py"), "w") as f:
            f.write(f"from lm_eval.tasks.xcopa.utils import doc_to_text_{lang} as doc_to_text, doc_to_choice\n")
        with open(os.path.join(d, f"{task}.yaml"), "w") as f:
            f.write(f"""task: {task}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {json.dumps(os.path.abspath(data))}
output_type: multiple_choice
test_split: test
doc_to_text: !function utils.doc_to_text
doc_to_target: label
doc_to_choice: !function utils.doc_to_choice
metric_list:
  - metric: acc
""")
        # evaluate() on the loaded task: simple_evaluate's get_task_dict (0.4.9.2) raises ValueError
        # while logging the YAML path of a task outside the harness's own tasks folder
        tasks = TaskManager(include_path=d).load_task_or_group([task])
        tasks[task].set_config(key="num_fewshot", value=0)
        lm = HFLM(pretrained=model_dir, dtype="float32", batch_size=8, device="cpu")
        out = evaluate(lm=lm, task_dict=tasks, limit=limit, log_samples=True)
    examples = []
    for s in out["samples"][task]:
        lls = [float(r[0][0]) for r in s["resps"]]
        examples.append({"doc_id": s["doc_id"], "lls": lls, "pred": max(range(len(lls)), key=lambda i: (lls[i], -i)),
                         "gold": int(s["target"]), "arguments": [list(a) for a in s["arguments"]]})
    examples.sort(key=lambda e: e["doc_id"])
    print(json.dumps({"examples": examples, "acc": out["results"][task]["acc,none"]}))


if __name__ == "__main__":
    main()
