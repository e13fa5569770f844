#!/usr/bin/env python3
"""Tests of Sources/CollateBackends/Worker/collate_shards.py against real `collate export` output.

    python3 Tests/Python/collate_shards_tests.py --collate .build/debug/collate

Plain Python (no pytest): each test_* function runs in order; the script prints one line per
test and exits 1 at the first failure. Needs torch and safetensors (without them it prints how to
enable the tests and exits 0). Run by the Swift suite
`TorchDDPSampleTests` (COLLATE_PYTHON picks the interpreter).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys

from _runner import run_tests, skip_unless_importable

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Sources", "CollateBackends", "Worker"))

skip_unless_importable(["torch", "collate_shards"], needs="torch and safetensors")

import torch  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from collate_shards import ShardDataset, ShardError, ShardIterableDataset  # noqa: E402

SPEC = {"type": "flattening", "return_flash_attn_kwargs": True, "transforms": [{"type": "drop-empty"}]}
# 13 examples on 17 lines: blank lines (skipped, still counted) and an empty example that
# drop-empty removes, so the dataset's line numbers differ from the exported example indices.
LINES = []
for number in range(15):
    if number in (3, 9):
        LINES.append("")
    elif number == 6:
        LINES.append(json.dumps({"input_ids": [], "labels": []}))
    else:
        ids = [number * 10 + k + 1 for k in range(number % 4 + 2)]
        LINES.append(json.dumps({"input_ids": ids, "labels": [-100] + ids[1:]}))
LINES += ["", json.dumps({"input_ids": [7, 8, 9], "labels": [-100, 8, 9]})]


def kept_lines() -> dict[int, list[int]]:
    """0-based line number -> input_ids of every example the export keeps."""
    kept = {}
    for number, text in enumerate(LINES):
        if text and json.loads(text)["input_ids"]:
            kept[number] = json.loads(text)["input_ids"]
    return kept


class Context:
    def __init__(self, collate: str, scratch: str):
        self.collate = collate
        self.scratch = scratch
        self.spec = os.path.join(scratch, "spec.json")
        with open(self.spec, "w") as handle:
            json.dump(SPEC, handle)
        self.data = self.write_data("data.jsonl", LINES)

    def write_data(self, name: str, lines: list[str]) -> str:
        path = os.path.join(self.scratch, name)
        with open(path, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        return path

    def export(self, out: str, world_size: int, batch_size: int, data: str | None = None) -> str:
        path = os.path.join(self.scratch, out)
        command = [self.collate, "export", "--spec", self.spec, "--input", data or self.data, "--out", path,
                   "--world-size", str(world_size), "--batch-size", str(batch_size)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}: {result.stderr}"
        return path

    def fresh_copy(self, source: str, name: str) -> str:
        target = os.path.join(self.scratch, name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        return target


def expect_refusal(make, *needles: str) -> str:
    try:
        make()
    except ShardError as error:
        message = str(error)
        for needle in needles:
            assert needle in message, f"expected {needle!r} in the refusal: {message}"
        return message
    raise AssertionError(f"expected a ShardError mentioning {needles}, nothing was raised")


def test_batches_hold_the_lines_they_name(context: Context) -> None:
    shards = context.export("w2", world_size=2, batch_size=2)
    kept = kept_lines()
    order = sorted(kept)                              # export example index -> line number
    seen: list[int] = []
    for rank in range(2):
        dataset = ShardIterableDataset(shards, rank=rank, world_size=2)
        assert len(dataset) == 4, f"13 examples over 2 ranks in batches of 2 are 4 batches each, got {len(dataset)}"
        for batch in dataset:
            assert batch.rank == rank
            assert batch.example_indices == [order[i] for i in batch.examples], (batch.examples, batch.example_indices)
            expected = [token for line in batch.example_indices for token in kept[line]]
            assert batch.tensors["input_ids"].tolist() == [expected], f"{batch.file}: input_ids are not lines {batch.example_indices}"
            assert batch.tensors["input_ids"].dtype == torch.int64 and batch.tensors["cu_seq_lens_q"].dtype == torch.int32
            assert batch.tokens == len(expected)
            seen += batch.example_indices
    # DistributedSampler pads 13 to 14 by wrapping around to the first example.
    assert sorted(seen) == sorted(order + [order[0]]), f"coverage {sorted(seen)} vs lines {order}"
    assert 3 not in seen and 6 not in seen and 9 not in seen, "blank and dropped lines are never in a batch"


def test_resume_gives_exactly_the_remaining_batches(context: Context) -> None:
    shards = context.export("w2", world_size=2, batch_size=2)
    whole = [(b.file, b.tensors) for b in ShardIterableDataset(shards, rank=1, world_size=2)]
    first = ShardIterableDataset(shards, rank=1, world_size=2)
    iterator = iter(first)
    next(iterator), next(iterator)
    state = first.state_dict()
    assert state["batch"] == 2 and state["epoch"] == 0 and state["rank"] == 1, state
    resumed = ShardIterableDataset(shards, rank=1, world_size=2)
    resumed.load_state_dict(json.loads(json.dumps(state)))   # a state survives a JSON checkpoint
    rest = [(b.file, b.tensors) for b in resumed]
    assert [file for file, _ in rest] == [file for file, _ in whole[2:]], rest
    for (_, got), (_, want) in zip(rest, whole[2:]):
        assert got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in got)
    assert resumed.state_dict()["epoch"] == 1 and resumed.state_dict()["batch"] == 0, "an epoch ends, the next starts"
    assert [b.file for b in resumed] == [file for file, _ in whole], "the next epoch is the same batches"
    # Through a DataLoader (batch_size=None: the items are already batches), resumed mid-epoch.
    loader_dataset = ShardIterableDataset(shards, rank=1, world_size=2)
    loader_dataset.load_state_dict({**loader_dataset.state_dict(), "batch": 3})
    assert [b.file for b in DataLoader(loader_dataset, batch_size=None)] == [whole[3][0]]
    # Worker processes split the batches and the loader interleaves them back into order.
    workers = DataLoader(ShardIterableDataset(shards, rank=1, world_size=2), batch_size=None, num_workers=2)
    assert [b.file for b in workers] == [file for file, _ in whole]
    # Map-style: the same batches by position; all_ranks reads a global batch at a time.
    mapped = ShardDataset(shards, rank=1, world_size=2)
    assert len(mapped) == 4 and mapped[2].file == whole[2][0] and mapped[-1].file == whole[3][0]
    everything = ShardDataset(shards, all_ranks=True)
    assert [b.file for b in everything][:3] == ["rank-00000/batch-000000.safetensors",
                                                "rank-00001/batch-000000.safetensors",
                                                "rank-00000/batch-000001.safetensors"]


def test_a_state_from_elsewhere_is_refused(context: Context) -> None:
    shards = context.export("w2", world_size=2, batch_size=2)
    other = context.export("w2b3", world_size=2, batch_size=3)
    state = ShardIterableDataset(other, rank=0, world_size=2).state_dict()
    dataset = ShardIterableDataset(shards, rank=0, world_size=2)
    expect_refusal(lambda: dataset.load_state_dict(state), "fingerprint")
    expect_refusal(lambda: dataset.load_state_dict({**dataset.state_dict(), "rank": 1}), "rank 1 of 2")
    expect_refusal(lambda: dataset.load_state_dict({**dataset.state_dict(), "batch": 5}), "out of range")


def test_world_size_and_rank_must_fit_the_export(context: Context) -> None:
    shards = context.export("w2", world_size=2, batch_size=2)
    expect_refusal(lambda: ShardIterableDataset(shards, rank=0, world_size=4), "world size 2", "--world-size 4")
    expect_refusal(lambda: ShardIterableDataset(shards, rank=2, world_size=2), "rank 2")
    os.environ["RANK"], os.environ["WORLD_SIZE"] = "1", "2"     # torchrun's variables, no process group
    try:
        assert ShardIterableDataset(shards).rank == 1
    finally:
        del os.environ["RANK"], os.environ["WORLD_SIZE"]


def test_a_mixed_export_is_refused(context: Context) -> None:
    shards = context.export("w2", world_size=2, batch_size=2)
    changed = context.write_data("changed.jsonl", [line.replace("[-100, 8, 9]", "[-100, 8, -100]") for line in LINES])
    other = context.export("changed", world_size=2, batch_size=2, data=changed)
    # One shard of another export among this one's (a copy, or a re-export stopped half-way).
    mixed = context.fresh_copy(shards, "mixed")
    shutil.copy(os.path.join(other, "rank-00001", "batch-000003.safetensors"), os.path.join(mixed, "rank-00001", "batch-000003.safetensors"))
    message = expect_refusal(lambda: ShardIterableDataset(mixed, rank=1, world_size=2), "mixed export", "fingerprint",
                             "batch-000003")
    assert "Traceback" not in message
    # Rank 0's shards are all of one export, but the map-style reader of every rank sees the mix.
    ShardIterableDataset(mixed, rank=0, world_size=2)
    expect_refusal(lambda: ShardDataset(mixed, all_ranks=True), "mixed export")
    # Without the up-front check the bad shard is still refused when it is read.
    lazy = ShardIterableDataset(mixed, rank=1, world_size=2, verify=False)
    expect_refusal(lambda: [b for b in lazy], "mixed export")
    # Another export's index over these shards.
    foreign_index = context.fresh_copy(shards, "foreign-index")
    shutil.copy(os.path.join(other, "index.json"), os.path.join(foreign_index, "index.json"))
    expect_refusal(lambda: ShardIterableDataset(foreign_index, rank=0, world_size=2), "mixed export")


def test_an_incomplete_export_is_refused(context: Context) -> None:
    shards = context.export("w2", world_size=2, batch_size=2)
    no_index = context.fresh_copy(shards, "no-index")
    os.remove(os.path.join(no_index, "index.json"))
    expect_refusal(lambda: ShardIterableDataset(no_index, rank=0, world_size=2), "index.json is missing",
                   "re-run the same `collate export` command")
    missing = context.fresh_copy(shards, "missing")
    os.remove(os.path.join(missing, "rank-00000", "batch-000002.safetensors"))
    os.remove(os.path.join(missing, "rank-00000", "batch-000003.safetensors"))
    expect_refusal(lambda: ShardIterableDataset(missing, rank=0, world_size=2), "incomplete export", "2 of 4",
                   "rank-00000/batch-000002.safetensors")
    truncated = context.fresh_copy(shards, "truncated")
    victim = os.path.join(truncated, "rank-00001", "batch-000001.safetensors")
    with open(victim, "r+b") as handle:
        handle.truncate(os.path.getsize(victim) - 5)
    expect_refusal(lambda: ShardIterableDataset(truncated, rank=1, world_size=2), "incomplete", "batch-000001")
    expect_refusal(lambda: ShardIterableDataset(os.path.join(context.scratch, "nowhere")), "no such folder")
    damaged = context.fresh_copy(shards, "damaged")
    with open(os.path.join(damaged, "index.json"), "r+") as handle:
        text = handle.read()
        handle.seek(0)
        handle.write(text[: len(text) // 2])
        handle.truncate()
    expect_refusal(lambda: ShardIterableDataset(damaged, rank=0, world_size=2), "cannot read it as JSON")


def test_a_damaged_export_is_a_shard_error(context: Context) -> None:
    """Found by the road attack (session 5): these were MemoryError, SafetensorError and
    IsADirectoryError with no file named."""
    shards = context.export("w2", world_size=2, batch_size=2)
    # An index whose batches_per_rank is absurd: refused before it sizes anything by it.
    huge = context.fresh_copy(shards, "huge")
    with open(os.path.join(huge, "index.json")) as handle:
        index = json.load(handle)
    index["batches_per_rank"] = 10 ** 12
    with open(os.path.join(huge, "index.json"), "w") as handle:
        json.dump(index, handle)
    expect_refusal(lambda: ShardIterableDataset(huge, rank=0, world_size=2), "lists 8 shards", "damaged")
    # A shard whose header names a dtype safetensors does not know (same length, so the size
    # checks pass): ShardError naming the file.
    tampered = context.fresh_copy(shards, "tampered")
    victim = os.path.join(tampered, "rank-00000", "batch-000000.safetensors")
    with open(victim, "r+b") as handle:
        data = bytearray(handle.read())
        (length,) = struct.unpack("<Q", bytes(data[:8]))
        header = bytes(data[8:8 + length]).replace(b'"I64"', b'"Q64"', 1)
        data[8:8 + length] = header
        handle.seek(0)
        handle.write(bytes(data))
    expect_refusal(lambda: ShardDataset(tampered, rank=0, world_size=2)[0], "batch-000000.safetensors", "damaged")
    # A folder where a shard should be, read without the up-front check.
    folder = context.fresh_copy(shards, "folder")
    victim = os.path.join(folder, "rank-00001", "batch-000002.safetensors")
    os.remove(victim)
    os.mkdir(victim)
    expect_refusal(lambda: ShardDataset(folder, rank=1, world_size=2, verify=False)[2], "batch-000002.safetensors",
                   "cannot read the shard")
    expect_refusal(lambda: ShardDataset(folder, rank=1, world_size=2), "incomplete export")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collate", required=True, help="the built collate executable")
    args = parser.parse_args()
    tests = [(name, value) for name, value in globals().items() if name.startswith("test_") and callable(value)]
    return run_tests(tests, lambda scratch: Context(args.collate, scratch), "collate-shards-tests-")


if __name__ == "__main__":
    sys.exit(main())
