#!/usr/bin/env python3
"""A worker with no torch for Collate's tests: the shipped protocol layer of collate_worker.py
driving a "counting model" whose numbers a test can compute by hand.

Position t of a row has context sum c(t) = the sum of input_ids over the real tokens s <= t of
its sequence (sequences restart where position_ids return to 0, or at cu_seq_lens_q offsets);
with --leak the context is the whole row, as a model that ignores packing boundaries sees it.
Its token loss, for a trained target y = labels[t + 1] != -100, is

    ((c(t) + y) % 101) / 100 + offset

and the loss is the sum over trained targets divided by num_items_in_batch (or by their count).
`offset` starts at 0; each step after accumulated gradients lowers it by 0.1 * learning_rate.

Failure switches: --crash-on OP, --hang-on OP, --malformed-on OP, --error-on OP, --extra-reply-on OP
(two reply lines for one request), --nan-loss-on OP (answers a NaN loss), --raw-nan-on OP (writes
a bare NaN, as json.dumps does), --protocol N (claims
another version in the handshake), --print-noise (prints to stdout; must not matter).
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "Sources", "CollateBackends", "Worker"))
import collate_worker as protocol  # noqa: E402


class CountingModel:
    def __init__(self, args):
        self.args = args
        self.offset = 0.0
        self.pending = 0
        self.steps = 0

    def _switch(self, op):
        args = self.args
        if args.print_noise:
            print(f"noise from a library during {op}")
        if op == args.crash_on:
            print(f"fake worker: crashing on {op} as asked", file=sys.stderr, flush=True)
            os._exit(3)
        if op == args.hang_on:
            time.sleep(3600)
        if op == args.malformed_on:
            self.replies.write(b"this is not a reply\n")
        if op == args.raw_nan_on:
            # What json.dumps writes for a NaN loss by default: not JSON.
            self.replies.write(b'{"ok": true, "loss": NaN, "num_items": 1}\n')
        if op == args.extra_reply_on:
            self.replies.write(protocol.encode_reply({"ok": True, "note": "a second reply line"}))
        if op == args.error_on:
            raise ValueError(f"asked to fail on {op}")

    def hello(self):
        self._switch("hello")
        reply = {"model": {"model_type": "fake-counting", "vocab_size": self.args.vocab, "max_length": 512},
                 "accepts_padding_free": not self.args.leak}
        if self.args.protocol is not None:
            reply["protocol"] = self.args.protocol
        return reply

    def _run(self, tensors, metadata, train):
        rows = {}
        for name, dtype, shape, raw in tensors:
            rows[name] = (shape, protocol.int_values(dtype, raw))
        if "input_ids" not in rows:
            raise ValueError("the batch has no input_ids")
        shape, ids = rows["input_ids"]
        if len(shape) != 2:
            raise ValueError(f"input_ids must be [B, L], got {shape}")
        batch, length = shape
        mask = rows.get("attention_mask", (shape, [1] * len(ids)))[1]
        positions = rows.get("position_ids", (None, None))[1]
        starts = set()
        if "cu_seq_lens_q" in rows and batch == 1:
            starts = set(rows["cu_seq_lens_q"][1])
        labels = rows.get("labels", (None, None))[1]
        losses, total, count = [], 0.0, 0
        for b in range(batch):
            context = 0
            for t in range(length):
                i = b * length + t
                restart = t > 0 and ((positions is not None and positions[i] == 0) or t in starts)
                if restart and not self.args.leak:
                    context = 0
                if mask[i]:
                    context += ids[i]
                value = 0.0
                if labels is not None and t + 1 < length and labels[i + 1] != -100:
                    value = ((context + labels[i + 1]) % 101) / 100 + self.offset
                    total += value
                    count += 1
                losses.append(value)
        items = int(metadata.get("num_items_in_batch", count))
        loss = None if labels is None else (total / items if items else float("nan"))
        if train and count:
            self.pending += count
        reply = {"loss": loss, "num_items": None if labels is None else count,
                 "outputs": [{"name": "logits", "shape": [batch, length, self.args.vocab]}]}
        if loss is not None and self.args.nan_loss_on == ("accumulate" if train else "forward"):
            reply["loss"] = float("nan")
        if "token_losses" in protocol.requested(metadata):
            reply["outputs"].append({"name": "token_losses", "shape": [batch, length]})
            reply["values"] = {"token_losses": losses}
        return reply

    def forward(self, tensors, metadata):
        self._switch("forward")
        return self._run(tensors, metadata, train=False)

    def accumulate(self, tensors, metadata):
        self._switch("accumulate")
        return self._run(tensors, metadata, train=True)

    def step(self, learning_rate):
        self._switch("step")
        if self.pending:
            self.offset -= 0.1 * learning_rate
            self.pending = 0
        self.steps += 1
        return self.steps


def main():
    replies = protocol.claim_stdout()
    parser = argparse.ArgumentParser()
    parser.add_argument("--leak", action="store_true")
    parser.add_argument("--vocab", type=int, default=1000)
    parser.add_argument("--crash-on")
    parser.add_argument("--hang-on")
    parser.add_argument("--malformed-on")
    parser.add_argument("--error-on")
    parser.add_argument("--extra-reply-on")
    parser.add_argument("--nan-loss-on")
    parser.add_argument("--raw-nan-on")
    parser.add_argument("--protocol", type=int)
    parser.add_argument("--print-noise", action="store_true")
    model = CountingModel(parser.parse_args())
    model.replies = replies
    return protocol.serve(model, replies)


if __name__ == "__main__":
    sys.exit(main())
