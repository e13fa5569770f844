#!/usr/bin/env python3
"""Train a small random-init causal LM with DDP (or FSDP) from `collate export` shards.

    collate export --spec flattening.json --input train.jsonl --out shards --world-size 2 --batch-size 2
    torchrun --standalone --nproc-per-node 2 Samples/TorchDDP/train.py --shards shards [--steps S] [--fsdp]

Each rank reads its own folder of the export (`rank-0000R/`, chosen at export time with
DistributedSampler semantics) through collate_shards.ShardIterableDataset, and prints one JSON
line per step on stdout:

    {"rank": 0, "step": 1, "loss": 10.27, "tokens": 276, "example_indices": [0, 2]}

`loss` is the global batch's loss (the same on every rank): summed token cross-entropy over
every rank's trained targets divided by their count, `num_items_in_batch`; `tokens` are this
rank's real tokens; `example_indices` the 0-based lines of the dataset file its batch holds.

The loss each rank backpropagates is its own summed token loss / the global target count,
times the world size: DDP and FSDP average gradients over ranks, so the update is that of the
global batch's loss -- the same as one process running all ranks' batches. transformers 5.23's
Trainer does the same with average_tokens_across_devices: it counts labels[..., 1:] != -100,
sums the count over ranks and multiplies the loss by the number of processes.

Padding-free batches (one row, `position_ids` restarting at 0 for each sequence) go to the
model with use_cache=False, which keeps the packed sequences apart; `cu_seq_lens_*` and
`max_length_*` go only to flash attention, the one implementation that reads them. The
model's vocabulary is the largest id in the shards + 1 (agreed over the ranks) unless
--vocab-size is given.

Without torchrun (no RANK / WORLD_SIZE in the environment) it runs as one process, reading an
export made with `--world-size 1`. gloo on CPU, nccl on CUDA. Needs torch, transformers and
safetensors (Sources/CollateBackends/Worker/requirements.txt).

Every wait on another rank has a deadline (--timeout, default 600 s): a rank that dies or hangs
stops the others with a message naming the step, not after torch's 30-minute default. A rank
that cannot read its shards says why, and the other ranks stop with it. A NaN or infinite
loss stops the run (exit 1) before the optimizer step it would poison.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import sys
from typing import Iterator

_WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "CollateBackends", "Worker")
if os.path.isdir(_WORKER):
    sys.path.insert(0, os.path.normpath(_WORKER))

try:
    import torch
    import torch.distributed as dist
    from transformers import AutoModelForCausalLM, LlamaConfig

    from collate_shards import ShardBatch, ShardError, ShardIterableDataset
except ImportError as error:
    print(f"train.py: cannot import {error.name or error} ({error}); install the requirements: {sys.executable} -m pip "
          f"install -r Sources/CollateBackends/Worker/requirements.txt", file=sys.stderr)
    sys.exit(3)

FLASH_KWARGS = ("cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", required=True, help="the --out folder of `collate export`")
    parser.add_argument("--steps", type=int, default=None, help="optimizer steps (default: one epoch of the shards)")
    parser.add_argument("--fsdp", action="store_true", help="shard the model with FSDP2 (fully_shard) instead of DDP")
    parser.add_argument("--optimizer", default="adamw", choices=["adamw", "sgd"],
                        help="adamw (default) or plain sgd, whose steps show the gradient's scale")
    parser.add_argument("--lr", type=float, default=3e-3, help="learning rate (default 3e-3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random initialisation (default 0)")
    parser.add_argument("--hidden", type=int, default=64, help="hidden size (default 64)")
    parser.add_argument("--layers", type=int, default=2, help="decoder layers (default 2)")
    parser.add_argument("--vocab-size", type=int, default=None,
                        help="vocabulary size (default: the largest id in the shards + 1, agreed over the ranks)")
    parser.add_argument("--attn", default="sdpa", help="attn_implementation: sdpa (default), eager, flash_attention_2")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds a rank waits for the others in any collective (default 600); a rank that died or "
                             "hangs stops the run after this long")
    args = parser.parse_args(argv)
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps {args.steps}: must be at least 1")
    if not (args.timeout > 0 and math.isfinite(args.timeout)):
        parser.error(f"--timeout {args.timeout}: must be a positive number of seconds")
    return args


class RankFailure(Exception):
    """This rank must stop; the message says why (already prefixed with the rank)."""


def agree(ok: bool, device: torch.device) -> bool:
    """Whether every rank is ok (an all_reduce MIN of a flag); `ok` itself in one process."""
    flag = torch.tensor(1 if ok else 0, device=device)
    return bool(int(all_reduce(flag, dist.ReduceOp.MIN)))


def batches(dataset: ShardIterableDataset) -> Iterator[ShardBatch]:
    """The rank's batches, epoch after epoch (the export fixes one epoch's order)."""
    while True:
        yield from dataset


def largest_id(dataset: ShardIterableDataset) -> int:
    """The largest token id in this rank's shards (input_ids and labels)."""
    largest = 0
    for batch in dataset:
        for name in ("input_ids", "labels"):
            if name in batch.tensors and batch.tensors[name].numel():
                largest = max(largest, int(batch.tensors[name].max()))
    dataset.load_state_dict({**dataset.state_dict(), "epoch": 0, "batch": 0})
    return largest


def all_reduce(value: torch.Tensor, op: dist.ReduceOp | None = None) -> torch.Tensor:
    """Sum (or `op`) over the ranks, in place; the value itself in a single process."""
    if dist.is_initialized():
        dist.all_reduce(value, op=dist.ReduceOp.SUM if op is None else op)
    return value


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if distributed:
        dist.init_process_group(backend="nccl" if use_cuda else "gloo", timeout=datetime.timedelta(seconds=args.timeout))
    elif args.fsdp:
        print("train.py: --fsdp shards the model over the ranks of a torchrun; this is one process (no RANK/WORLD_SIZE), "
              "so the model is not sharded. Run it under torchrun --nproc-per-node N to use FSDP", file=sys.stderr)
    rank = dist.get_rank() if distributed else 0
    world_size = dist.get_world_size() if distributed else 1
    try:
        return train(args, rank, world_size, device, use_cuda, distributed)
    except RankFailure as failure:
        print(str(failure), file=sys.stderr)
        return 1
    except RuntimeError as error:  # torch.distributed's errors: a peer closed its connection, a timeout
        text = str(error)
        collective = isinstance(error, getattr(dist, "DistError", ())) or any(
            mark in text for mark in ("gloo", "nccl", "NCCL", "Connection closed", "Connection reset", "Timed out", "timed out"))
        if not distributed or not collective:
            raise
        print(f"train.py (rank {rank}): a collective operation failed, so another rank died or did not answer within "
              f"--timeout {args.timeout:g} s (see its own messages); stopping: {str(error).splitlines()[0] if str(error) else error!r}",
              file=sys.stderr)
        return 1
    finally:
        if distributed and dist.is_initialized():
            dist.destroy_process_group()


def train(args: argparse.Namespace, rank: int, world_size: int, device: torch.device, use_cuda: bool,
          distributed: bool) -> int:
    """The training loop of one rank; raises RankFailure to stop every rank cleanly."""
    dataset: ShardIterableDataset | None = None
    problem = None
    try:
        dataset = ShardIterableDataset(args.shards, rank=rank, world_size=world_size)
        if len(dataset) == 0:
            problem = f"train.py (rank {rank}): {args.shards} holds no batches"
    except ShardError as error:
        problem = f"train.py (rank {rank}): {error}"
    # Every rank learns whether all of them can read their shards, so none waits for a rank
    # that has already given up.
    if not agree(problem is None, device):
        raise RankFailure(problem or f"train.py (rank {rank}): another rank cannot read its shards (see its message); stopping")
    assert dataset is not None

    vocab_size = args.vocab_size
    if vocab_size is None:
        vocab_size = int(all_reduce(torch.tensor(largest_id(dataset) + 1, device=device), dist.ReduceOp.MAX))
    torch.manual_seed(args.seed)
    config = LlamaConfig(
        vocab_size=vocab_size, hidden_size=args.hidden, intermediate_size=2 * args.hidden,
        num_hidden_layers=args.layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=4096, use_cache=False)
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[args.dtype]
    model = AutoModelForCausalLM.from_config(config, attn_implementation=args.attn).to(device=device, dtype=dtype)
    if distributed and args.fsdp:
        from torch.distributed.fsdp import fully_shard

        for layer in model.model.layers:
            fully_shard(layer)
        fully_shard(model)
        wrapped = model
    elif distributed:
        from torch.nn.parallel import DistributedDataParallel

        wrapped = DistributedDataParallel(model, device_ids=[device.index] if use_cuda else None)
    else:
        wrapped = model
    if args.optimizer == "sgd":
        optimizer: torch.optim.Optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    model.train()

    steps = args.steps if args.steps is not None else len(dataset)
    stream = batches(dataset)
    for step in range(1, steps + 1):
        batch = next(stream).to(device)
        inputs = batch.model_inputs()
        if not agree("labels" in inputs, device):
            raise RankFailure(f"train.py (rank {rank}): step {step}: "
                              + (f"{batch.file} has no labels" if "labels" not in inputs else "another rank's batch has no labels")
                              + "; export with a collator that makes them")
        if args.attn.startswith("flash"):
            inputs.update({name: batch.tensors[name] for name in FLASH_KWARGS if name in batch.tensors})
            for name in ("max_length_q", "max_length_k"):
                if name in inputs:
                    inputs[name] = int(inputs[name])
        # HF's causal-LM loss shifts: position t predicts labels[t + 1]. The targets of the
        # global batch are every rank's labels[..., 1:] that are not -100.
        local_items = (inputs["labels"][..., 1:] != -100).sum()
        global_items = all_reduce(local_items.clone())
        if int(global_items) == 0:
            raise RankFailure(f"train.py (rank {rank}): step {step} has no trained targets on any rank "
                              f"(every label is -100); check the export's labels")
        output = wrapped(**inputs, use_cache=False, num_items_in_batch=global_items)
        (output.loss * world_size).backward()
        loss = float(all_reduce(output.loss.detach().float().clone()))
        if not math.isfinite(loss):
            # The same global loss on every rank, so every rank stops here, before the step.
            raise RankFailure(f"train.py (rank {rank}): step {step}: the loss is {loss}; no optimizer step was taken. "
                              f"Lower --lr, use --dtype float32, or check the shards' labels and token ids "
                              f"(collate validate on the pipeline)")
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        tokens = int(inputs["attention_mask"].sum()) if "attention_mask" in inputs else int(inputs["input_ids"].numel())
        record = {"rank": rank, "step": step, "loss": loss, "tokens": tokens, "example_indices": batch.example_indices}
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
    if distributed:
        dist.barrier()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ShardError as error:  # a shard changed or vanished after the first check
        print(f"train.py (rank {os.environ.get('RANK', '0')}): {error}", file=sys.stderr)
        sys.exit(1)
