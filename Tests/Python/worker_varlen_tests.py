#!/usr/bin/env python3
"""Tests of collate_worker.py's `--attn varlen` (per-sequence attention for padding-free batches)
against `--attn sdpa` and against each sequence run alone, in one process on the CPU.

    python3 Tests/Python/worker_varlen_tests.py

Plain Python (no pytest), like collate_shards_tests.py: one line per test, exit 1 at the first
failure. Needs torch and transformers (without them it prints how to enable the tests and exits
0). Run by the Swift suite `TorchWorkerTests` (COLLATE_TORCH_PYTHON picks the interpreter).

Reference: transformers' own sdpa attention (the installed version, 5.x) with a packed row's
position_ids, which builds a per-sequence mask (masking_utils.find_packed_sequence_indices), and
each sequence in a batch of its own. Before (session 7, the first varlen commit): rows of a
[B > 1, T] batch with position_ids restarting mid-row were each attended as one sequence (a silent
leak: loss 6.9321 instead of 6.9676); with cu_seq_lens_q and B > 1 the labels at sequence starts
were not masked (14 targets instead of 12); cu_seq_lens_q past the row, cu_seq_lens_q that
disagree with position_ids, a max_length_q below the longest sequence (which the CUDA kernel
trusts), position_ids jumping to a non-zero value, a sliding window shorter than a sequence and
attention dropout were all computed without a word. And under --attn sdpa, a packed row that
also carried an all-ones attention_mask attended across its sequences (transformers reads
position_ids only without a mask): now the mask is dropped, and a packed row that is also padded
is refused.
"""
from __future__ import annotations

import json
import os
import random
import struct
import sys
import types

from _runner import run_tests, skip_unless_importable

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Sources", "CollateBackends", "Worker"))

skip_unless_importable(["torch", "transformers"], needs="torch and transformers")

import collate_worker  # noqa: E402

LLAMA = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000, "max_position_embeddings": 256}
A, B, C = [11, 52, 973, 4, 88], [640, 2, 19], [7]
PACKED = A + B
PACKED_POSITIONS = list(range(len(A))) + list(range(len(B)))
TOLERANCE = 1e-5


def build(attn, config=LLAMA, use_cache="false"):
    """A worker model as `collate_worker.py --config CONFIG --attn ATTN --device cpu` builds it."""
    args = types.SimpleNamespace(model=None, config=json.dumps(config), tiny_llama=False, vocab_size=None,
                                 dtype="float32", device="cpu", attn=attn, use_cache=use_cache, seed=0,
                                 optimizer="sgd", weight_decay=None)
    return collate_worker.TorchCausalLM(args)


def tensors(**fields):
    """The [(name, dtype, shape, bytes)] a request frame decodes to: lists of rows are [B, T]
    I64 tensors, flat lists 1-D (cu_seq_lens_* as I32, as Collate sends them), ints scalars."""
    out = []
    for name, value in fields.items():
        if isinstance(value, int):
            out.append((name, "I64", [], struct.pack("<q", value)))
            continue
        rows = value if value and isinstance(value[0], list) else None
        flat = [v for row in rows for v in row] if rows is not None else list(value)
        shape = [len(rows), len(rows[0])] if rows is not None else [len(flat)]
        code, dtype = ("i", "I32") if name.startswith("cu_seq_lens") else ("q", "I64")
        out.append((name, dtype, shape, struct.pack(f"<{len(flat)}{code}", *flat)))
    return out


def loss(model, **fields):
    """(loss, num_items) of a forward request."""
    reply = model.forward(tensors(**fields), {})
    return reply["loss"], reply["num_items"]


def refused(model, expected, **fields):
    """Asserts the request is refused with an error containing `expected`."""
    try:
        reply = model.forward(tensors(**fields), {})
    except ValueError as error:
        assert expected in str(error), f"wrong error: {error}"
        return
    raise AssertionError(f"accepted ({reply['loss']}, {reply['num_items']}); expected an error naming {expected!r}")


def close(actual, expected, what):
    assert abs(actual[0] - expected[0]) < TOLERANCE and actual[1] == expected[1], f"{what}: {actual} vs {expected}"


class Context:
    def __init__(self):
        self.sdpa = build("sdpa")
        self.varlen = build("varlen")
        self.varlen.model.load_state_dict(self.sdpa.model.state_dict())
        # The reference: sdpa on the packed row with position_ids (per-sequence mask).
        self.packed = loss(self.sdpa, input_ids=[PACKED], labels=[PACKED], position_ids=[PACKED_POSITIONS])
        alone = [loss(self.sdpa, input_ids=[s], labels=[s]) for s in (A, B)]
        # Each sequence alone, as a token-weighted mean: what the packed row must equal.
        items = sum(n for _, n in alone)
        self.alone = (sum(value * n for value, n in alone) / items, items)


def test_packed_row_equals_sequences_alone_and_sdpa(context):
    close(context.packed, context.alone, "sdpa packed vs alone")
    close(loss(context.varlen, input_ids=[PACKED], labels=[PACKED], position_ids=[PACKED_POSITIONS]),
          context.alone, "varlen position_ids")
    close(loss(context.varlen, input_ids=[PACKED], labels=[PACKED], cu_seq_lens_q=[0, 5, 8], max_length_q=5),
          context.alone, "varlen cu_seq_lens_q only")


def test_use_cache_true_still_keeps_sequences_apart(context):
    cached = build("varlen", use_cache="true")
    cached.model.load_state_dict(context.sdpa.model.state_dict())
    assert cached.hello()["accepts_padding_free"] is True
    assert context.sdpa.hello()["accepts_padding_free"] is True and build("sdpa", use_cache="true").hello()["accepts_padding_free"] is False
    close(loss(cached, input_ids=[PACKED], labels=[PACKED], position_ids=[PACKED_POSITIONS]), context.alone, "varlen use_cache=True")


def test_rows_packed_with_position_ids_keep_sequences_apart(context):
    # B = 2 rows, each A and B packed: before, each row was one 8-token sequence (a leak).
    two = loss(context.varlen, input_ids=[PACKED, PACKED], labels=[PACKED, PACKED],
               position_ids=[PACKED_POSITIONS, PACKED_POSITIONS])
    close(two, (context.alone[0], 2 * context.alone[1]), "varlen B=2 position_ids")
    close(loss(context.sdpa, input_ids=[PACKED, PACKED], labels=[PACKED, PACKED],
               position_ids=[PACKED_POSITIONS, PACKED_POSITIONS]), two, "sdpa B=2 position_ids")


def test_rows_packed_with_cu_seq_lens_mask_every_start(context):
    # Before: labels at sequence starts were masked only for B = 1 (14 targets, not 12).
    two = loss(context.varlen, input_ids=[PACKED, PACKED], labels=[PACKED, PACKED],
               cu_seq_lens_q=[0, 5, 8, 13, 16], max_length_q=5)
    close(two, (context.alone[0], 2 * context.alone[1]), "varlen B=2 cu_seq_lens_q")


def test_unpadded_rows_and_all_ones_mask_are_one_sequence_each(context):
    rows = dict(input_ids=[PACKED, PACKED[::-1]], labels=[PACKED, PACKED[::-1]])
    reference = loss(context.sdpa, **rows)
    close(loss(context.varlen, **rows), reference, "varlen unpadded B=2")
    close(loss(context.varlen, attention_mask=[[1] * 8, [1] * 8], **rows), reference, "varlen all-ones mask")


def test_one_token_and_empty_sequences(context):
    ids = A + C + B
    positions = list(range(len(A))) + [0] + list(range(len(B)))
    reference = loss(context.sdpa, input_ids=[ids], labels=[ids], position_ids=[positions])
    close(loss(context.varlen, input_ids=[ids], labels=[ids], position_ids=[positions]), reference, "one-token sequence")
    # An empty sequence (a repeated bound) contributes nothing.
    close(loss(context.varlen, input_ids=[PACKED], labels=[PACKED], cu_seq_lens_q=[0, 5, 5, 8]), context.alone,
          "empty sequence in cu_seq_lens_q")


def test_padded_batches_are_refused(context):
    padded = "--attn varlen takes padding-free batches"
    refused(context.varlen, padded, input_ids=[A + [0, 0, 0], PACKED], labels=[A + [-100] * 3, PACKED],
            attention_mask=[[1] * 5 + [0] * 3, [1] * 8])
    refused(context.varlen, padded, input_ids=[[0, 0, 0] + A, PACKED], labels=[[-100] * 3 + A, PACKED],
            attention_mask=[[0] * 3 + [1] * 5, [1] * 8])


def test_broken_bounds_are_refused(context):
    row = dict(input_ids=[PACKED], labels=[PACKED])
    not_bounds = "are not the sequence bounds of this batch"
    refused(context.varlen, not_bounds, cu_seq_lens_q=[0, 5], **row)            # does not cover the row
    refused(context.varlen, not_bounds, cu_seq_lens_q=[0, 5, 10], **row)        # runs past it
    refused(context.varlen, not_bounds, cu_seq_lens_q=[0, 5, 3, 8], **row)      # decreases
    refused(context.varlen, not_bounds, cu_seq_lens_q=[2, 5, 8], **row)         # does not start at 0
    refused(context.varlen, "across the end of a row", input_ids=[PACKED, PACKED], labels=[PACKED, PACKED],
            cu_seq_lens_q=[0, 5, 13, 16])
    refused(context.varlen, "cu_seq_lens_k differ", cu_seq_lens_q=[0, 5, 8], cu_seq_lens_k=[0, 8], **row)
    refused(context.varlen, "disagree about where packed sequences start", cu_seq_lens_q=[0, 8],
            position_ids=[PACKED_POSITIONS], **row)
    refused(context.varlen, "max_length_q is 2", cu_seq_lens_q=[0, 5, 8], max_length_q=2, **row)
    refused(context.varlen, "max_length_k is 4", cu_seq_lens_q=[0, 5, 8], max_length_k=4, **row)
    # transformers' sdpa would start a sequence at a jump to 1; the worker's labels would not.
    refused(context.varlen, "restarts a packed sequence at 0", position_ids=[list(range(5)) + [1, 2, 3]], **row)
    refused(context.varlen, "position_ids have shape", position_ids=[list(range(7))], **row)
    refused(context.varlen, "the batch has no tokens", input_ids=[[]], labels=[[]])
    refused(context.varlen, "more than the batch's 8 tokens", cu_seq_lens_q=[0, 5, 8], max_length_q=1 << 40, **row)
    # A larger max_length than needed, up to the batch's size, is harmless (kernels size their grid by it).
    close(loss(context.varlen, cu_seq_lens_q=[0, 5, 8], max_length_q=8, **row), context.alone, "max_length_q 8")


def test_gradient_accumulation_trains_like_sdpa(context):
    sdpa, varlen = build("sdpa"), build("varlen")
    varlen.model.load_state_dict(sdpa.model.state_dict())
    generator = random.Random(1)

    def micro_batch():
        sequences = [[generator.randrange(1, 1000) for _ in range(generator.randrange(1, 9))] for _ in range(4)]
        ids = [token for sequence in sequences for token in sequence]
        positions = [index for sequence in sequences for index in range(len(sequence))]
        return tensors(input_ids=[ids], labels=[ids], position_ids=[positions]), sum(len(s) - 1 for s in sequences)

    steps = [[micro_batch(), micro_batch()] for _ in range(4)]
    curves = []
    for model in (sdpa, varlen):
        curve = []
        for step in steps:
            items = sum(count for _, count in step)
            curve.append(sum(model.accumulate(batch, {"num_items_in_batch": str(items)})["loss"] for batch, _ in step))
            model.step(0.1)
        curves.append(curve)
    assert all(abs(x - y) < TOLERANCE for x, y in zip(*curves)), f"sdpa {curves[0]} vs varlen {curves[1]}"
    assert curves[1][-1] != curves[1][0], f"the model did not train: {curves[1]}"


def test_what_varlen_does_not_compute_is_refused(context):
    mistral = dict(LLAMA, model_type="mistral", sliding_window=4)
    refused(build("varlen", mistral), "sliding window of 4 tokens", input_ids=[PACKED], labels=[PACKED],
            position_ids=[PACKED_POSITIONS])
    wide = build("varlen", dict(mistral, sliding_window=64))
    reference = build("sdpa", dict(mistral, sliding_window=64))
    wide.model.load_state_dict(reference.model.state_dict())
    row = dict(input_ids=[PACKED], labels=[PACKED], position_ids=[PACKED_POSITIONS])
    close(loss(wide, **row), loss(reference, **row), "mistral, window wider than every sequence")
    dropout = build("varlen", dict(LLAMA, attention_dropout=0.1))
    try:
        dropout.accumulate(tensors(**row), {})
    except ValueError as error:
        assert "does not implement attention dropout" in str(error), str(error)
    else:
        raise AssertionError("training with attention dropout was accepted by --attn varlen")
    loss(dropout, **row)  # evaluation runs without dropout: accepted


def test_sdpa_packed_rows_with_an_attention_mask(context):
    # transformers separates packed sequences by position_ids only without an attention_mask:
    # before, an all-ones mask made sdpa attend across them (6.9321 instead of 6.9676), silently.
    row = dict(input_ids=[PACKED], labels=[PACKED], position_ids=[PACKED_POSITIONS])
    close(loss(context.sdpa, attention_mask=[[1] * 8], **row), context.alone, "sdpa, position_ids and an all-ones mask")
    refused(context.sdpa, "packs several sequences into a row", input_ids=[PACKED + [0, 0]], labels=[PACKED + [-100, -100]],
            position_ids=[PACKED_POSITIONS + [0, 1]], attention_mask=[[1] * 8 + [0, 0]])
    # Padded rows of one sequence each (pad positions 0) are not packed: they run as before.
    padded = loss(context.sdpa, input_ids=[A + [0, 0, 0], PACKED], labels=[A + [-100] * 3, PACKED],
                  position_ids=[list(range(5)) + [0, 0, 0], list(range(8))], attention_mask=[[1] * 5 + [0] * 3, [1] * 8])
    unpadded = loss(context.sdpa, input_ids=[A + [0, 0, 0], PACKED], labels=[A + [-100] * 3, PACKED],
                    attention_mask=[[1] * 5 + [0] * 3, [1] * 8])
    close(padded, unpadded, "padded rows with position_ids")
    # Before: sdpa started a sequence at the jump to 1, the labels did not (a cross-sequence target).
    refused(context.sdpa, "is 1 after 4", input_ids=[PACKED], labels=[PACKED], position_ids=[list(range(5)) + [1, 2, 3]])


def main():
    tests = [(name, function) for name, function in globals().items() if name.startswith("test_")]
    return run_tests(tests, lambda scratch: Context(), "collate-varlen-")


if __name__ == "__main__":
    sys.exit(main())
