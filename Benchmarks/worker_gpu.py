#!/usr/bin/env python3
"""Drives collate_worker.py over Collate's worker protocol with frames written by the Swift
codec (FrameExportTests), for machines without a Swift toolchain (the GPU box).

  COLLATE_EXPORT_FRAMES=.build-frames COLLATE_WORKLOAD=work.jsonl swift test --filter FrameExportTests
  python3 Benchmarks/worker_gpu.py --frames .build-frames [--out results.json] [--quick]

Measures, on a random-init Llama-style model (hidden 512, 4 layers, vocab 32000):
  1. fp32 loss of the same batches padded vs flattened, per attention implementation and use_cache;
  2. the boundary probe (each sequence alone vs packed, per-token losses), position_ids and cu_seq_lens;
  3. bf16 training throughput (accumulate + AdamW step per batch of 16) of both layouts.
The probe arithmetic mirrors Sources/Collate/Probe/BoundaryProbe.swift.
"""
import argparse
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "..", "Sources", "CollateBackends", "Worker", "collate_worker.py")
MODEL = {"model_type": "llama", "hidden_size": 512, "intermediate_size": 1408, "num_hidden_layers": 4,
         "num_attention_heads": 8, "num_key_value_heads": 8, "vocab_size": 32000, "max_position_embeddings": 4096}
WORKER_PATH = WORKER
TINY = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 32000, "max_position_embeddings": 4096}


def frames(path):
    with open(path, "rb") as handle:
        data = handle.read()
    out, at = [], 0
    while at < len(data):
        (length,) = struct.unpack("<Q", data[at:at + 8])
        out.append(data[at:at + 8 + length])
        at += 8 + length
    return out


def control_frame(metadata):
    """A frame with no tensors (hello, step, shutdown), encoded as the Swift codec does."""
    header = json.dumps({"__metadata__": metadata}, separators=(",", ":")).encode()
    header += b" " * ((8 - (8 + len(header)) % 8) % 8)
    body = struct.pack("<Q", len(header)) + header
    return struct.pack("<Q", len(body)) + body


class Worker:
    def __init__(self, python, arguments, timeout=600):
        self.timeout = timeout
        self.process = subprocess.Popen([python, WORKER_PATH] + arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.buffer = b""
        self.hello = self.send(control_frame({"op": "hello", "protocol": "1"}))

    def send(self, frame):
        self.process.stdin.write(frame)
        self.process.stdin.flush()
        deadline = time.time() + self.timeout
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.time()))
            if not ready:
                self.process.kill()
                raise TimeoutError("worker did not answer")
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise RuntimeError(f"worker exited with {self.process.wait()}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        reply = json.loads(line)
        if not reply.get("ok"):
            raise RuntimeError(reply.get("error"))
        return reply

    def close(self):
        try:
            self.send(control_frame({"op": "shutdown"}))
        except Exception:
            pass
        self.process.stdin.close()
        self.process.wait(timeout=60)


def probe(worker, probe_frames, lengths):
    """Per-sequence max |alone - packed| of token losses, for the position_ids and cu_seq_lens packings."""
    alone = [worker.send(frame)["values"]["token_losses"] for frame in probe_frames[:len(lengths)]]
    results = {}
    for name, frame in zip(["position_ids", "cu_seq_lens"], probe_frames[len(lengths):]):
        packed = worker.send(frame)["values"]["token_losses"]
        differences, offset = [], 0
        for index, length in enumerate(lengths):
            worst = 0.0
            for t in range(length - 1):
                a, b = alone[index][t], packed[offset + t]
                worst = float("inf") if (a is None) != (b is None) else max(worst, abs(a - b) if a is not None else 0.0)
            differences.append(worst)
            offset += length
        results[name] = {"passed": max(differences) <= 1e-3, "max_difference": max(differences), "differences": differences}
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", required=True)
    parser.add_argument("--out")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--worker", default=WORKER, help="collate_worker.py (default: the repository's)")
    parser.add_argument("--quick", action="store_true", help="tiny model on CPU, few batches: a rehearsal")
    parser.add_argument("--attention", default="sdpa,eager,flex_attention")
    args = parser.parse_args()
    global WORKER_PATH
    WORKER_PATH = args.worker
    device = "cpu" if args.quick else "auto"
    model = json.dumps(TINY if args.quick else MODEL)
    results = {"swift_on_path": shutil.which("swift"), "model": json.loads(model)}
    try:
        import torch
        import transformers
        results.update(torch=torch.__version__, transformers=transformers.__version__,
                       gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
        try:
            import flash_attn  # noqa: F401
            results["flash_attn"] = flash_attn.__version__
        except Exception:
            results["flash_attn"] = None
    except Exception as error:
        results["import_error"] = str(error)
    print(json.dumps(results), flush=True)

    path = lambda name: os.path.join(args.frames, name)  # noqa: E731
    lengths = [len(line.split()) for line in open(path("probe.sequences")).read().splitlines()]
    probe_frames = frames(path("probe.frames"))
    loss_padded, loss_flat = frames(path("loss-padded.frames")), frames(path("loss-flattened.frames"))
    if args.quick:
        loss_padded, loss_flat = loss_padded[:1], loss_flat[:1]

    results["checks"] = []
    for attention in args.attention.split(","):
        for use_cache in ["false", "true"]:
            started = time.time()
            entry = {"attention": attention, "use_cache": use_cache == "true", "dtype": "float32"}
            try:
                worker = Worker(args.python, ["--config", model, "--device", device, "--dtype", "float32",
                                              "--attn", attention, "--use-cache", use_cache], timeout=900)
                padded = [worker.send(frame)["loss"] for frame in loss_padded]
                flat = [worker.send(frame)["loss"] for frame in loss_flat]
                entry["loss_padded"], entry["loss_flattened"] = padded, flat
                entry["loss_max_abs_difference"] = max(abs(a - b) for a, b in zip(padded, flat))
                entry["probe"] = probe(worker, probe_frames, lengths)
                worker.close()
            except Exception as error:
                entry["error"] = f"{type(error).__name__}: {error}"
            entry["seconds"] = round(time.time() - started, 1)
            print(json.dumps(entry), flush=True)
            results["checks"].append(entry)

    results["throughput"] = []
    dtype = "float32" if args.quick else "bfloat16"
    for attention in (["sdpa"] + (["flash_attention_2"] if results.get("flash_attn") else [])):
        for layout in ["padded", "flattened"]:
            entry = {"attention": attention, "layout": layout, "dtype": dtype, "use_cache": False}
            try:
                batches = frames(path(f"{layout}.frames"))
                tokens = int(open(path(f"{layout}.tokens")).read())
                if args.quick:
                    batches, tokens = batches[:2], None
                worker = Worker(args.python, ["--config", model, "--device", device, "--dtype", dtype, "--attn", attention])
                step = control_frame({"op": "step", "learning_rate": "0.0001"})
                for frame in batches[:2]:  # warm-up (kernels, allocator)
                    worker.send(frame)
                    worker.send(step)
                start = time.time()
                losses = []
                for frame in batches:
                    losses.append(worker.send(frame)["loss"])
                    worker.send(step)
                seconds = time.time() - start
                worker.close()
                entry.update(batches=len(batches), tokens=tokens, seconds=round(seconds, 3),
                             tokens_per_second=None if tokens is None else round(tokens / seconds),
                             first_loss=losses[0], last_loss=losses[-1])
            except Exception as error:
                entry["error"] = f"{type(error).__name__}: {error}"
            print(json.dumps(entry), flush=True)
            results["throughput"].append(entry)
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
