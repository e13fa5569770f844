"""Regenerates mlm_preference.jsonl: golden batches for Collate's `masked-language-modeling` and
`preference` collators from the reference implementations. Optional tooling; `swift test` only
reads the JSONL.

    python make_mlm_preference.py --trl1 DIR --torchtune DIR

Needs a Python with transformers (4.57.6 used), trl 0.19.1 and torch. TRL 1.x and torchtune are
read from unpacked wheels (`pip download --no-deps trl torchtune`, unzip): DIR is the folder that
holds the `trl` / `torchtune` package. torchtune's `_collate.py` is loaded alone, with its two
torchtune imports stubbed, so torchao is not needed.

MLM cases use mlm_probability 0 or 1 (and replacement probabilities 0 or 1), where the result
does not depend on the random generator: Collate's generator is its own, so masks at other
probabilities are checked statistically in the Swift tests, not against torch.
"""
import argparse
import importlib.util
import json
import os
import sys
import tempfile
import types

import torch
import transformers
from transformers import BertTokenizerFast, DataCollatorForLanguageModeling

HERE = os.path.dirname(os.path.abspath(__file__))


def tensors_to_json(batch, keys=None):
    out = {}
    for key in keys or batch.keys():
        value = batch[key]
        out[key] = value.to(torch.int64).tolist() if isinstance(value, torch.Tensor) else value
    return out


def mlm_tokenizer():
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [chr(ord("a") + i) for i in range(25)]
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "vocab.txt")
    with open(path, "w") as f:
        f.write("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=path)
    assert tokenizer.all_special_ids and len(tokenizer) == 30 and tokenizer.mask_token_id == 4
    return tokenizer


def mlm_cases():
    tokenizer = mlm_tokenizer()
    base = {"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4, "vocab_size": 30, "special_token_ids": [1, 2, 3]}
    features = [
        {"input_ids": [2, 5, 6, 7, 8, 3]},
        {"input_ids": [2, 9, 1, 10, 3]},            # [UNK] is special
        {"input_ids": [2, 11, 0, 12, 13, 14, 3]},   # a real token equal to the pad id: special in HF
        {"input_ids": [2, 3]},                      # all special
    ]
    with_types = [dict(f, token_type_ids=[0] * (len(f["input_ids"]) - 2) + [1, 1]) for f in features]
    # The caller's mask decides, not the ids: the second-to-last token is marked special too.
    with_special_mask = [dict(f, special_tokens_mask=[1] + [0] * max(len(f["input_ids"]) - 3, 0) + [1, 1][: len(f["input_ids"]) - 1]) for f in features]
    variants = [
        ("p0", dict(mlm_probability=0.0), {}, features, "right"),
        ("p0-token-types", dict(mlm_probability=0.0), {}, with_types, "right"),
        ("p1-all-mask", dict(mlm_probability=1.0, mask_replace_prob=1.0, random_replace_prob=0.0), {}, features, "right"),
        ("p1-all-kept", dict(mlm_probability=1.0, mask_replace_prob=0.0, random_replace_prob=0.0), {}, features, "right"),
        ("p1-left-padding", dict(mlm_probability=1.0, mask_replace_prob=1.0, random_replace_prob=0.0), {"padding_side": "left"}, features, "left"),
        ("p1-multiple-of-8", dict(mlm_probability=1.0, mask_replace_prob=1.0, random_replace_prob=0.0, pad_to_multiple_of=8), {}, features, "right"),
        ("p1-special-tokens-mask", dict(mlm_probability=1.0, mask_replace_prob=1.0, random_replace_prob=0.0), {}, with_special_mask, "right"),
        ("p1-token-types", dict(mlm_probability=1.0, mask_replace_prob=1.0, random_replace_prob=0.0), {}, with_types, "right"),
    ]
    for name, kwargs, extra, feats, side in variants:
        tokenizer.padding_side = side
        collator = DataCollatorForLanguageModeling(tokenizer, mlm=True, **kwargs)
        batch = collator([dict(f) for f in feats])
        spec = dict(base, **extra, **{k: v for k, v in kwargs.items()})
        yield {"id": f"mlm/{name}", "reference": f"transformers {transformers.__version__} DataCollatorForLanguageModeling(mlm=True)",
               "spec": spec, "features": feats, "expected": tensors_to_json(batch)}


PAIRS = [
    {"prompt_input_ids": [1, 2, 3], "chosen_input_ids": [4, 5], "rejected_input_ids": [6]},
    {"prompt_input_ids": [7, 8], "chosen_input_ids": [9, 10, 11, 12], "rejected_input_ids": [13, 14, 15]},
    {"prompt_input_ids": [16], "chosen_input_ids": [17], "rejected_input_ids": [18, 19, 20, 21, 22]},
]
EMPTY_PROMPT = [dict(PAIRS[0], prompt_input_ids=[]), PAIRS[1]]
EMPTY_COMPLETION = [dict(PAIRS[0], chosen_input_ids=[]), dict(PAIRS[1], rejected_input_ids=[])]


def truncated(pairs, max_prompt_length=None, max_completion_length=None):
    """TRL 0.19 DPOTrainer.tokenize_row's truncation."""
    out = []
    for p in pairs:
        p = dict(p)
        if max_prompt_length is not None:
            p["prompt_input_ids"] = p["prompt_input_ids"][-max_prompt_length:]
        if max_completion_length is not None:
            p["chosen_input_ids"] = p["chosen_input_ids"][:max_completion_length]
            p["rejected_input_ids"] = p["rejected_input_ids"][:max_completion_length]
        out.append(p)
    return out


def trl019_cases():
    import trl
    from trl.trainer.dpo_trainer import DataCollatorForPreference

    ref = f"trl {trl.__version__} DataCollatorForPreference"
    cases = [
        ("basic", {}, PAIRS, 0),
        ("pad-id-99", {}, PAIRS, 99),
        ("empty-prompt", {}, EMPTY_PROMPT, 0),
        # torch.tensor([]) is float32: TRL then returns a float tensor when the first row is empty; values compared as integers.
        ("empty-completion", {}, EMPTY_COMPLETION, 0),
        ("truncated", {"max_prompt_length": 2, "max_completion_length": 3}, PAIRS, 0),
    ]
    for name, truncation, pairs, pad in cases:
        batch = DataCollatorForPreference(pad_token_id=pad)(truncated(pairs, **truncation))
        yield {"id": f"preference/trl-0.19/{name}", "reference": ref,
               "spec": dict({"type": "preference", "pad_token_id": pad}, **truncation), "features": pairs,
               "expected": tensors_to_json(batch)}


def renamed(pairs):
    return [{"prompt_ids": p["prompt_input_ids"], "chosen_ids": p["chosen_input_ids"], "rejected_ids": p["rejected_input_ids"]} for p in pairs]


def trl1_cases(folder):
    saved = {k: v for k, v in sys.modules.items() if k == "trl" or k.startswith("trl.")}
    for k in saved:
        del sys.modules[k]
    sys.path.insert(0, folder)
    try:
        import trl
        from trl.trainer.dpo_trainer import DataCollatorForPreference

        ref = f"trl {trl.__version__} DataCollatorForPreference"
        cases = [
            ("basic", {}, PAIRS),
            ("empty-prompt", {}, EMPTY_PROMPT),
            ("empty-completion", {}, EMPTY_COMPLETION),
            ("multiple-of-4", {"pad_to_multiple_of": 4}, PAIRS),
            ("max-length-keep-start", {"max_length": 4}, PAIRS),
            ("max-length-keep-end", {"max_length": 4, "truncation_mode": "keep_end"}, PAIRS),
        ]
        for name, kwargs, pairs in cases:
            batch = DataCollatorForPreference(pad_token_id=0, **kwargs)(renamed(pairs))
            yield {"id": f"preference/trl-1/{name}", "reference": ref,
                   "spec": dict({"type": "preference", "pad_token_id": 0, "layout": "trl-concatenated"}, **kwargs),
                   "features": renamed(pairs), "expected": tensors_to_json(batch)}
    finally:
        sys.path.remove(folder)
        for k in [k for k in sys.modules if k == "trl" or k.startswith("trl.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def load_torchtune_collate(folder):
    common = types.ModuleType("torchtune.data._common")
    common.CROSS_ENTROPY_IGNORE_IDX = -100
    common.PACK_TYPE = dict
    attention = types.ModuleType("torchtune.modules.attention_utils")
    attention.packed_block_causal_mask = None
    for name in ["torchtune", "torchtune.data", "torchtune.modules"]:
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["torchtune.data._common"] = common
    sys.modules["torchtune.modules.attention_utils"] = attention
    spec = importlib.util.spec_from_file_location("torchtune_collate", os.path.join(folder, "torchtune", "data", "_collate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    version = "?"
    for entry in os.listdir(folder):
        if entry.startswith("torchtune-") and entry.endswith(".dist-info"):
            version = entry[len("torchtune-"):-len(".dist-info")]
    return module.padded_collate_dpo, version


def torchtune_cases(folder):
    collate, version = load_torchtune_collate(folder)
    ref = f"torchtune {version} padded_collate_dpo"
    cases = [
        ("basic", {}, PAIRS, 0, -100),
        ("empty-prompt", {}, EMPTY_PROMPT, 0, -100),
        ("empty-completion", {}, EMPTY_COMPLETION, 0, -100),
        ("pad-and-ignore", {"ignore_index": -1}, PAIRS, 99, -1),
        ("truncated", {"max_prompt_length": 1, "max_completion_length": 2}, PAIRS, 0, -100),
    ]
    for name, extra, pairs, pad, ignore in cases:
        rows = []
        for p in truncated(pairs, extra.get("max_prompt_length"), extra.get("max_completion_length")):
            prompt = p["prompt_input_ids"]
            rows.append({
                # What torchtune's PreferenceDataset makes when the prompt is masked.
                "chosen_input_ids": prompt + p["chosen_input_ids"],
                "chosen_labels": [ignore] * len(prompt) + p["chosen_input_ids"],
                "rejected_input_ids": prompt + p["rejected_input_ids"],
                "rejected_labels": [ignore] * len(prompt) + p["rejected_input_ids"],
            })
        input_ids, labels = collate(rows, padding_idx=pad, ignore_idx=ignore)
        lengths = [len(r["chosen_input_ids"]) for r in rows] + [len(r["rejected_input_ids"]) for r in rows]
        width = input_ids.shape[1]
        mask = [[1] * n + [0] * (width - n) for n in lengths]  # Collate's addition (torchtune returns no mask)
        spec = dict({"type": "preference", "pad_token_id": pad, "layout": "torchtune"}, **extra)
        yield {"id": f"preference/torchtune/{name}", "reference": ref, "spec": spec, "features": pairs,
               "expected": {"input_ids": input_ids.tolist(), "attention_mask": mask, "labels": labels.tolist()}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trl1", required=True, help="folder holding an unpacked TRL 1.x `trl` package")
    parser.add_argument("--torchtune", required=True, help="folder holding an unpacked torchtune package")
    args = parser.parse_args()
    import trl

    versions = {"transformers": transformers.__version__, "trl": trl.__version__, "torch": torch.__version__}
    cases = list(mlm_cases()) + list(trl019_cases()) + list(trl1_cases(args.trl1)) + list(torchtune_cases(args.torchtune))
    for case in cases:
        if case["reference"].startswith("trl 1"):
            versions["trl-concatenated"] = case["reference"].split()[1]
        if case["reference"].startswith("torchtune"):
            versions["torchtune"] = case["reference"].split()[1]
    with open(os.path.join(HERE, "mlm_preference.jsonl"), "w") as f:
        for case in cases:
            f.write(json.dumps(case) + "\n")
    with open(os.path.join(HERE, "VERSIONS-mlm-preference.json"), "w") as f:
        json.dump(versions, f)
        f.write("\n")
    print(f"{len(cases)} cases", versions)


if __name__ == "__main__":
    main()
