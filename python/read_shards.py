"""Reads a chunk's export-shards output back and compares it token for token with the mix it came from.

    .venv/readers/bin/python python/read_shards.py ROOT CHUNK

* shards/chunk=ID/megatron/tokens.{bin,idx}: read with a NumPy reader written from Megatron-LM's published
  layout (megatron/core/datasets/indexed_dataset.py: _IndexWriter/_IndexReader); the reference reader itself
  imports torch, which is not installed here.
* shards/chunk=ID/hf/*.parquet: loaded with Hugging Face `datasets` (load_dataset("parquet", ...)).
* mix/chunk=ID/train/*.parquet (what the train stage reads): with pyarrow, in seq_id order.
Prints {"sequences", "tokens", "dtype"} as JSON; exit status 1 with the first difference.
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_CACHE", tempfile.mkdtemp(prefix="hf-datasets-"))

import datasets  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow.dataset as ds  # noqa: E402

MAGIC = b"MMIDIDX\x00\x00"
DTYPES = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.float64, 7: np.float32, 8: np.uint16}


def read_megatron(prefix):
    """[(tokens of sequence i)], document index, dtype: the .idx header, lengths, pointers and document index, then the .bin."""
    with open(prefix + ".idx", "rb") as f:
        if f.read(9) != MAGIC:
            raise ValueError("not a Megatron index: bad magic")
        version = np.frombuffer(f.read(8), "<u8")[0]
        if version != 1:
            raise ValueError(f"index version {version}")
        dtype = DTYPES[f.read(1)[0]]
        n_seq = int(np.frombuffer(f.read(8), "<u8")[0])
        n_doc = int(np.frombuffer(f.read(8), "<u8")[0])
        lengths = np.frombuffer(f.read(4 * n_seq), "<i4")
        pointers = np.frombuffer(f.read(8 * n_seq), "<i8")
        documents = np.frombuffer(f.read(8 * n_doc), "<i8")
        if f.read():
            raise ValueError("trailing bytes after the document index")
    data = np.fromfile(prefix + ".bin", dtype=np.dtype(dtype).newbyteorder("<"))
    item = np.dtype(dtype).itemsize
    if len(data) * item != (int(pointers[-1]) + int(lengths[-1]) * item if n_seq else 0):
        raise ValueError(".bin size does not match the index")
    return [data[p // item: p // item + n] for p, n in zip(pointers, lengths)], documents, np.dtype(dtype).name


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: read_shards.py ROOT CHUNK")
    root, chunk = sys.argv[1], sys.argv[2]
    shards = os.path.join(root, "shards", f"chunk={chunk}")
    mix = ds.dataset(os.path.join(root, "mix", f"chunk={chunk}", "train"), format="parquet").to_table().sort_by("seq_id")
    expected = mix.column("tokens").to_pylist()
    megatron, documents, dtype = read_megatron(os.path.join(shards, "megatron", "tokens"))
    if list(documents) != list(range(len(megatron) + 1)):
        fail("document index is not one document per sequence")
    hf = datasets.load_dataset("parquet", data_files=os.path.join(shards, "hf", "*.parquet"), split="train")
    if hf.column_names != ["seq_id", "input_ids"]:
        fail(f"datasets columns {hf.column_names}")
    if len(expected) != len(megatron) or len(expected) != len(hf):
        fail(f"sequences: mix {len(expected)}, megatron {len(megatron)}, datasets {len(hf)}")
    for i, (want, seq, row) in enumerate(zip(expected, megatron, hf)):
        if list(seq) != want:
            fail(f"megatron sequence {i} differs from the mix's")
        if row["input_ids"] != want or row["seq_id"] != mix.column("seq_id")[i].as_py():
            fail(f"datasets row {i} differs from the mix's")
    print(json.dumps({"sequences": len(expected), "tokens": int(sum(len(s) for s in expected)), "dtype": dtype}))


if __name__ == "__main__":
    main()
