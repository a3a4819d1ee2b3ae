"""Runs lm-evaluation-harness's own task definitions on local copies of their data and prints, per case,
its per-example requests, log-likelihoods and predictions as JSON: the harness side of HarnessParityTest.

Usage: python lmeval_parity.py SPEC_JSON
SPEC_JSON: {"model": an export-hf directory (GPT2LMHeadModel + tokenizer),
            "cases": [{"task": "xcopa"|"xstorycloze"|"xwinograd", "lang": ..., "k": ..., "seed": ..., "limit": ...,
                       "files": {harness split name: local file}}]}
Each case is the harness's YAML for that task and language (lm_eval/tasks/<task>/..., its doc_to_text,
doc_to_choice, splits and few-shot rules unchanged) with only the data source swapped for the local
files (no network here), run the way `lm_eval --tasks T --num_fewshot K --fewshot_seed... --limit N`
runs it: simple_evaluate with fewshot_random_seed = seed, float32 on CPU. XStoryCloze's TSVs are
converted to the HF copy's field names here; XCOPA and XWinograd files are read as they are.
Prints {"harness": version, "cases": [{"task", "lang", "k", "seed", "examples": [{"doc_id", "arguments",
"lls", "pred", "gold"}...], "acc"}]}.
"""
import csv
import json
import os
import sys
import tempfile

import lm_eval
from lm_eval import simple_evaluate
from lm_eval.models.huggingface import HFLM
from lm_eval.tasks import TaskManager

TASKS_DIR = os.path.join(os.path.dirname(lm_eval.__file__), "tasks")
YAML = {"xcopa": "xcopa/default_{lang}.yaml", "xstorycloze": "xstorycloze/default_{lang}.yaml",
        "xwinograd": "xwinograd/xwinograd_{lang}.yaml"}


def storycloze_jsonl(tsv, out):
    """The HF copy (juletxara/xstory_cloze) of an XStoryCloze TSV: the same rows, its field names."""
    with open(tsv, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            o.write(json.dumps({"story_id": r["InputStoryid"], "input_sentence_1": r["InputSentence1"],
                                "input_sentence_2": r["InputSentence2"], "input_sentence_3": r["InputSentence3"],
                                "input_sentence_4": r["InputSentence4"], "sentence_quiz1": r["RandomFifthSentenceQuiz1"],
                                "sentence_quiz2": r["RandomFifthSentenceQuiz2"],
                                "answer_right_ending": int(r["AnswerRightEnding"])}, ensure_ascii=False) + "\n")
    return out


def task_yaml(d, case):
    name = f"lmforge_{case['task']}_{case['lang']}"
    files = dict(case["files"])
    if case["task"] == "xstorycloze":
        files = {split: storycloze_jsonl(path, os.path.join(d, f"{name}_{split}.jsonl")) for split, path in files.items()}
    with open(os.path.join(d, f"{name}.yaml"), "w") as f:
        f.write(f"include: {json.dumps(os.path.join(TASKS_DIR, YAML[case['task']].format(lang=case['lang'])))}\n"
                f"task: {name}\ndataset_path: json\ndataset_name: null\n"
                f"dataset_kwargs:\n  data_files:\n"
                + "".join(f"    {split}: {json.dumps(os.path.abspath(path))}\n" for split, path in files.items()))
    return name


def run_case(lm, case):
    with tempfile.TemporaryDirectory() as d:
        name = task_yaml(d, case)
        out = simple_evaluate(model=lm, tasks=[name], num_fewshot=case["k"], fewshot_random_seed=case["seed"],
                              limit=case["limit"], log_samples=True, task_manager=TaskManager(include_path=d))
    examples = []
    for s in out["samples"][name]:
        lls = [float(r[0][0]) for r in s["resps"]]
        t = s["target"]  # the gold index; XWinograd's (multiple inputs) is the shared continuation, its gold the answer
        gold = int(t) if isinstance(t, int) or str(t).isdigit() else {"1": 0, "2": 1}[s["doc"]["answer"]]
        examples.append({"doc_id": s["doc_id"], "lls": lls, "pred": max(range(len(lls)), key=lambda i: (lls[i], -i)),
                         "gold": gold, "arguments": [list(a)[:2] for a in s["arguments"]]})
    examples.sort(key=lambda e: e["doc_id"])
    return {"task": case["task"], "lang": case["lang"], "k": case["k"], "seed": case["seed"], "examples": examples,
            "acc": out["results"][name]["acc,none"]}


def main():
    spec = json.load(open(sys.argv[1]))
    lm = HFLM(pretrained=spec["model"], dtype="float32", batch_size=8, device="cpu")
    cases = [run_case(lm, c) for c in spec["cases"]]
    print(json.dumps({"harness": lm_eval.__version__ if hasattr(lm_eval, "__version__") else "?", "cases": cases}))


if __name__ == "__main__":
    main()
