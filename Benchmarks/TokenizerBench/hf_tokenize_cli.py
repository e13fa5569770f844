"""What `collate tokenize --tokenizer PATH --input TEXTS.jsonl` does, with HF tokenizers:
load, encode every line (one `encode_batch` per 1000 lines, single thread unless
RAYON_NUM_THREADS says otherwise), print {"ids", "offsets"} per line. Timed as a whole
process by run.sh, like the collate command.

usage: python3 hf_tokenize_cli.py TOKENIZER_JSON TEXTS.jsonl > out.jsonl
"""
import json
import os
import sys

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from tokenizers import Tokenizer  # noqa: E402

tok = Tokenizer.from_file(sys.argv[1])
requests = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
out = sys.stdout
for start in range(0, len(requests), 1000):
    chunk = requests[start:start + 1000]
    encodings = tok.encode_batch([r["text"] for r in chunk], add_special_tokens=True)
    for e in encodings:
        out.write(json.dumps({"ids": e.ids, "offsets": [list(o) for o in e.offsets]}, separators=(",", ":")) + "\n")
