"""Random differential test: `collate batch` / `collate pack --rows` against TRL 1.16.0 and
transformers 5.23, case by case, output text compared byte for byte (Python's json rules).

usage: COLLATE=.build/debug/collate python fuzz_trl_parity.py SEED N
(needs trl==1.16.0, transformers==5.23.*, torch, datasets). Prints every mismatch; a case where
TRL itself raises must make Collate fail too. Packing groups made only of empty sequences are
skipped (TRL 1.16 raises ArrowNotImplementedError there; see Guides/Packing.md). Cases that
disagreed were turned into golden cases (make_trl_goldens.py, `edge_cases`).
"""
import json, os, random, subprocess, sys, tempfile, math
import torch, datasets, tokenizers
from transformers import DataCollatorForTokenClassification, PreTrainedTokenizerFast
from trl import pack_dataset
from trl.trainer.kto_trainer import DataCollatorForUnpairedPreference
from trl.trainer.reward_trainer import DataCollatorForPreference
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

datasets.disable_progress_bars()
C = os.environ.get("COLLATE", ".build/debug/collate")
D = tempfile.mkdtemp(prefix="collate-fuzz")


def collator_for(spec):
    kind = spec["type"]
    args = {k: v for k, v in spec.items() if k != "type"}
    if kind == "sft":
        return DataCollatorForLanguageModeling(**args)
    if kind == "reward":
        return DataCollatorForPreference(**args)
    if kind == "unpaired-preference":
        return DataCollatorForUnpairedPreference(**args)
    if kind == "token-classification":
        tok = tokenizers.Tokenizer(tokenizers.models.WordLevel({"<pad>": 0, "<unk>": 1}, unk_token="<unk>"))
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>")
        fast.padding_side = args.pop("padding_side", "right")
        args.pop("pad_token_id")
        return DataCollatorForTokenClassification(fast, **args)
    raise ValueError(kind)


def trl_json(spec, features):
    try:
        out = collator_for(spec)([json.loads(json.dumps(f)) for f in features])
    except Exception as e:
        return None, f"{type(e).__name__}: {e}"
    d = {k: (v.tolist() if isinstance(v, torch.Tensor) else v) for k, v in out.items()}
    return json.dumps(d), None


def run_collate(args, stdin=None):
    p = subprocess.run([C] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check_collator(case_id, spec, features, lines=None):
    sp = os.path.join(D, "spec.json"); ex = os.path.join(D, "ex.jsonl")
    with open(sp, "w") as f:
        json.dump(spec, f)
    with open(ex, "w") as f:
        for line in (lines if lines is not None else [json.dumps(x) for x in features]):
            f.write(line + "\n")
    want, err = trl_json(spec, features)
    rc, out, stderr = run_collate(["batch", "--spec", sp, "--input", ex])
    got = out.strip()
    if err is not None:
        if rc == 0:
            return f"MISMATCH {case_id}: TRL raised {err!r} but collate printed {got[:300]}"
        return None
    if rc != 0:
        return f"MISMATCH {case_id}: spec={json.dumps(spec)} feats={json.dumps(features)[:300]} collate rc={rc} {stderr.strip()[:300]} ; TRL: {want[:300]}"
    if got != want:
        return f"MISMATCH {case_id}:\n  spec={json.dumps(spec)}\n  features={json.dumps(features)[:600]}\n  collate={got[:600]}\n  trl    ={want[:600]}"
    return None


def check_pack(case_id, strategy, max_tokens, group, features):
    ex = os.path.join(D, "pack.jsonl")
    with open(ex, "w") as f:
        for x in features:
            f.write(json.dumps(x) + "\n")
    st = {"bfd": "bfd", "bfd-split": "bfd_split", "wrapped": "wrapped"}[strategy]
    try:
        mk = {} if group is None else {"batch_size": group}
        packed = pack_dataset(datasets.Dataset.from_list(features), max_tokens, st, map_kwargs=mk)
        want = "\n".join(json.dumps(dict(r)) for r in packed)
        err = None
    except Exception as e:
        want, err = None, f"{type(e).__name__}: {e}"
    args = ["pack", "--input", ex, "--max-tokens", str(max_tokens), "--strategy", strategy, "--rows"]
    if group is not None:
        args += ["--group-size", str(group)]
    else:
        args += ["--group-size", "1000"]
    rc, out, stderr = run_collate(args)
    if err is not None:
        return f"TRLERR {case_id}: {err[:200]} ; collate rc={rc} {stderr.strip()[:200]}"
    if rc != 0:
        return f"MISMATCH {case_id}: collate rc={rc} {stderr.strip()[:300]}"
    if out.strip() != want:
        return f"MISMATCH {case_id}:\n features={json.dumps(features)[:500]}\n collate={out.strip()[:500]}\n trl    ={want[:500]}"
    return None


def collator_cases(rng, N):
    fails = 0
    def ids(n, lo=-5, hi=2**31-1, rng=rng):
        return [rng.choice([rng.randint(0, 60), rng.randint(lo, hi)]) for _ in range(n)]
    def fl():
        return rng.choice([rng.uniform(-5, 5), round(rng.uniform(-3, 3), rng.randint(0, 8)), rng.choice([1e-45, -0.0, 0.0, 1e30, -1e-40, 3.3e38, 1e-7, 123456.789, 2.5]), rng.randint(-100, 100)])
    for i in range(N):
        kind = rng.choice(["sft", "sft", "reward", "kto", "tc"])
        B = rng.choice([1, 1, 2, 3, 5, 8])
        if kind == "sft":
            spec = {"type": "sft", "pad_token_id": rng.choice([0, 1, -1, 7, 2**31-1])}
            for key, vals in [("padding_free", [True, False]), ("return_position_ids", [True, False]), ("pad_to_multiple_of", [1, 2, 3, 7, 64])]:
                if rng.random() < 0.5: spec[key] = rng.choice(vals)
            packed = rng.random() < 0.4
            lab = rng.random()
            feats = []
            for _ in range(B):
                if packed:
                    sl = [rng.randint(1, 5) for _ in range(rng.randint(1, 4))]
                    f = {"input_ids": ids(sum(sl))}
                else:
                    f = {"input_ids": ids(rng.randint(1, 9))}
                if lab < 0.3 or (lab < 0.6 and rng.random() < 0.5):
                    f["labels"] = [x if rng.random() < 0.6 else -100 for x in f["input_ids"]]
                if rng.random() < 0.2:
                    f["completion_mask"] = [rng.randint(0, 1) for _ in f["input_ids"]]
                if rng.random() < 0.2:
                    f["assistant_masks"] = [rng.randint(0, 1) for _ in f["input_ids"]]
                if packed:
                    f["seq_lengths"] = sl
                feats.append(f)
        elif kind == "reward":
            spec = {"type": "reward", "pad_token_id": rng.choice([0, 3, -100])}
            if rng.random() < 0.5: spec["pad_to_multiple_of"] = rng.choice([1, 2, 5, 8])
            wm = rng.random() < 0.6
            feats = []
            for _ in range(B):
                f = {"chosen_ids": ids(rng.randint(1, 7)), "rejected_ids": ids(rng.randint(1, 7))}
                if wm: f["margin"] = fl()
                feats.append(f)
        elif kind == "kto":
            spec = {"type": "unpaired-preference", "pad_token_id": rng.choice([0, 3])}
            if rng.random() < 0.5: spec["pad_to_multiple_of"] = rng.choice([1, 2, 5, 8])
            if rng.random() < 0.5: spec["max_length"] = rng.randint(1, 12)
            wkl, wr, wrk = rng.random() < 0.5, rng.random() < 0.5, rng.random() < 0.4
            lt = rng.choice(["bool", "bool", "int", "mixed"])
            feats = []
            for _ in range(B):
                f = {"prompt_ids": ids(rng.randint(0, 6)), "completion_ids": ids(rng.randint(0, 6))}
                if wkl: f["KL_completion_ids"] = ids(rng.randint(0, 6))
                f["label"] = rng.random() < 0.5 if lt == "bool" else (rng.randint(0, 1) if lt == "int" else rng.choice([True, 1, 0.5]))
                if wr: f["ref_logps"] = fl()
                if wrk: f["ref_KL_logps"] = fl()
                feats.append(f)
            if any(len(f["prompt_ids"]) + len(f["completion_ids"]) == 0 for f in feats):
                continue
        else:
            spec = {"type": "token-classification", "pad_token_id": 0}
            p = rng.choice([None, "longest", "max_length", True, "do_not_pad", False])
            if p is not None: spec["padding"] = p
            if rng.random() < 0.6 or p == "max_length": spec["max_length"] = rng.randint(1, 10)
            if rng.random() < 0.4: spec["pad_to_multiple_of"] = rng.choice([1, 2, 3, 8])
            if rng.random() < 0.3: spec["padding_side"] = "left"
            if rng.random() < 0.3: spec["label_pad_token_id"] = rng.choice([-1, -100, 0, 5])
            L = rng.randint(1, 8) if p in ("do_not_pad", False) else None
            feats = []
            key = rng.choice(["labels", "labels", "label"])
            for _ in range(B):
                n = L or rng.randint(1, 8)
                f = {"input_ids": [rng.randint(0, 60) for _ in range(n)], key: [rng.randint(-1, 9) for _ in range(n)]}
                feats.append(f)
        r = check_collator(f"{kind}-{i}", spec, feats)
        if r:
            fails += 1; print(r)
    print("collator_cases fails", fails, "of", N)
    return fails


def packing_cases(rng, N):
    fails = 0
    for i in range(N):
        n = rng.choice([1, 2, 3, 5, 10, 30, 100])
        cap = rng.choice([1, 2, 3, 4, 5, 7, 8, 16, 33])
        cols = rng.choice([["input_ids"], ["input_ids", "labels"], ["input_ids", "attention_mask", "completion_mask"], ["labels", "input_ids"], ["input_ids", "seq_lengths_x"]])
        feats = []
        for _ in range(n):
            L = rng.choice([0, 1, cap, cap + 1, 2 * cap, rng.randint(0, 3 * cap + 2)])
            f = {}
            for c in cols:
                f[c] = [rng.choice([rng.randint(-100, 100), rng.randint(-2**31, 2**31 - 1)]) for _ in range(L)]
            feats.append(f)
        strategy = rng.choice(["bfd", "bfd-split", "wrapped"])
        group = rng.choice([None, 1, 2, 3, 4, 7, n, n + 1, 1000])
        if all(len(f[cols[0]]) == 0 for f in feats):
            continue
        r = check_pack(f"pack-{i}-{strategy}-cap{cap}-g{group}", strategy, cap, group, feats)
        if r and not r.startswith("TRLERR"):
            fails += 1; print(r)
    print("packing_cases fails", fails, "of", N)
    return fails


if __name__ == "__main__":
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    failed = collator_cases(random.Random(seed), count) + packing_cases(random.Random(seed), count)
    sys.exit(1 if failed else 0)
