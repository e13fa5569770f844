#!/usr/bin/env python3
"""HF's default fine-tuning input pipeline, timed: tokenized examples -> DataLoader (shuffled,
num_workers=0, as Trainer's defaults) -> DataCollatorForSeq2Seq (pad to the longest example of
each batch, labels padded with -100) -> forward/backward/AdamW on a random-init transformers model.

The model is built exactly as collate_worker.py builds it (same config, seed, dtype and device
move), so both sides of Benchmarks/gpu/llama1b_bench.py start from identical weights.

usage: hf_padded_train.py --examples CHAT.jsonl --config MODEL.json --tokenizer DIR
                          [--batch-size 16] [--max-length 2048] [--dtype bfloat16] [--attn sdpa]
                          [--device auto] [--learning-rate 1e-4] [--warmup 3] [--seed 0]
CHAT.jsonl lines are `collate chat` output ({"input_ids", "assistant_masks"}): labels are the
input ids where the mask is 1, else -100 (assistant-only), truncated on the right at max-length.
Prints one JSON line per step and a summary line {"summary": ...}.
"""
import argparse
import json
import os
import random
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=2048)
    parser.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16"])
    parser.add_argument("--attn", default="sdpa")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--warmup", type=int, default=3, help="steps left out of the timing (kernels, allocator)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, DataCollatorForSeq2Seq, PreTrainedTokenizerFast

    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[args.dtype]
    with open(args.config) as handle:
        settings = json.load(handle)
    torch.manual_seed(args.seed)
    config = AutoConfig.for_model(settings.pop("model_type", "llama"), **settings)
    model = AutoModelForCausalLM.from_config(config, attn_implementation=args.attn).to(device=device, dtype=dtype)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(args.tokenizer, "tokenizer.json"))
    tokenizer.pad_token = "</s>"  # what users set for Llama/Mistral tokenizers without a pad token
    tokenizer.padding_side = "right"
    collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)

    features = []
    with open(args.examples) as handle:
        for line in handle:
            record = json.loads(line)
            ids = record["input_ids"][:args.max_length]
            mask = record["assistant_masks"][:args.max_length]
            features.append({"input_ids": ids, "attention_mask": [1] * len(ids),
                             "labels": [token if keep else -100 for token, keep in zip(ids, mask)]})
    order = list(range(len(features)))
    random.Random(args.seed).shuffle(order)  # Trainer's RandomSampler, seeded
    batches = [order[start:start + args.batch_size] for start in range(0, len(order), args.batch_size)]

    def synchronize():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    total_real = total_padded = timed_real = timed_padded = 0
    collate_seconds = timed_collate = 0.0
    started = None
    for step, indices in enumerate(batches, start=1):
        if step == args.warmup + 1:
            synchronize()
            started = time.perf_counter()
        before = time.perf_counter()
        batch = collator([features[index] for index in indices])
        collated = time.perf_counter() - before
        batch = {name: tensor.to(device, non_blocking=True) for name, tensor in batch.items()}
        loss = model(**batch, use_cache=False).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        value = float(loss.detach())  # one sync per step, as the worker's reply has
        real, padded = int(batch["attention_mask"].sum()), batch["input_ids"].numel()
        total_real += real
        total_padded += padded
        collate_seconds += collated
        if started is not None:
            timed_real += real
            timed_padded += padded
            timed_collate += collated
        print(json.dumps({"step": step, "loss": value, "tokens": real, "padded_tokens": padded,
                          "collate_ms": round(collated * 1000, 3)}), flush=True)
    synchronize()
    seconds = time.perf_counter() - started
    print(json.dumps({"summary": {
        "steps": len(batches), "timed_steps": len(batches) - args.warmup, "batch_size": args.batch_size,
        "real_tokens": total_real, "padded_tokens": total_padded, "padding_ratio": round(total_padded / total_real, 4),
        "timed_seconds": round(seconds, 3), "real_tokens_per_second": round(timed_real / seconds, 1),
        "padded_tokens_per_second": round(timed_padded / seconds, 1),
        "collator_seconds": round(timed_collate, 4), "collator_share": round(timed_collate / seconds, 5),
        "device": torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu",
        "parameters": sum(p.numel() for p in model.parameters()), "dtype": args.dtype, "attn": args.attn,
    }}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
