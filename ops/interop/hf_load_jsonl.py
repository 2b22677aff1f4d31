"""Loads a JSONL file the way training pipelines do, with Hugging Face `datasets`
(load_dataset("json")), and prints what it made of it as one JSON object: the number of rows, the
columns, the features it inferred and the first row. Proof that an export is a loadable dataset.

usage: hf_load_jsonl.py <file.jsonl>   (set HF_DATASETS_CACHE to a scratch folder; no network needed)
"""
import json
import sys

import datasets


def main() -> int:
    datasets.disable_progress_bars()
    dataset = datasets.load_dataset("json", data_files=sys.argv[1], split="train")
    print(json.dumps({
        "num_rows": dataset.num_rows,
        "columns": dataset.column_names,
        "features": {name: str(feature) for name, feature in dataset.features.items()},
        "first": dataset[0] if dataset.num_rows else None,
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
