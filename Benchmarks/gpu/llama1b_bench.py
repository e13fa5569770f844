#!/usr/bin/env python3
"""GPU benchmark of issue #18 item 6: a 1B-parameter-shaped Llama (random init, bf16) trained
from chat-length data, HF's default input pipeline against Collate's packed padding-free
batches through the PyTorch worker (`collate train --backend worker`).

  python3 Benchmarks/gpu/llama1b_bench.py --collate PATH/TO/collate --out results.jsonl
  python3 Benchmarks/gpu/llama1b_bench.py --collate .build/release/collate --quick   # CPU rehearsal

What runs, in this order (each a separate process with its own deadline; one line of JSON each):
  1. the environment (torch, transformers, GPU, flash-attn, torch's varlen attention);
  2. the workload: N conversations (Benchmarks/e2e/make_conversations.py), rendered and
     assistant-masked by `collate chat` with the mistral-inst template (the HF side trains on
     exactly these token ids and labels);
  3. the boundary probe in float32 on the 1B model (`collate probe`, chat-length sequences from
     the workload), for sdpa (packed sequences told apart by position_ids) and varlen attention:
     per-sequence token losses alone vs packed;
  4. Collate: `collate train --backend worker` on the same conversations, BFD-packed rows of
     --pack-tokens, --rows rows per padding-free step, with --attn varlen and sdpa (its own
     bf16 boundary probe runs before the first step);
  5. HF: DataCollatorForSeq2Seq padded batches of B examples (hf_padded_train.py), for each B;
     4 and 5 alternate (varlen, B=16, sdpa, B=8).
Real tokens/s leave out each run's first --warmup steps. Collate's CPU share is the collate
process's own CPU time (tokenizing, packing, collating, framing; sampled from /proc) over the
timed run's wall time.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
WORKER = os.path.join(ROOT, "Sources", "CollateBackends", "Worker", "collate_worker.py")
TOKENIZER = os.path.join(ROOT, "Samples", "Data", "mistral-v1")
TINY = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 32000, "max_position_embeddings": 4096}


def emit(out, record):
    line = json.dumps(record)
    print(line, flush=True)
    if out:
        with open(out, "a") as handle:
            handle.write(line + "\n")


def cpu_seconds(pid):
    """utime + stime of one process (not its children), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_collate_train(command, timeout, warmup):
    """Runs `collate train`, timestamping each step line; returns the measured record."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    samples = {"cpu": None}

    def sample():
        while process.poll() is None:
            value = cpu_seconds(process.pid)
            if value is not None:
                samples["cpu"] = value
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr_lines = []
    reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr), daemon=True)
    reader.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    steps, started_at = [], time.perf_counter()
    cpu_at_warmup = None
    for line in process.stdout:
        now = time.perf_counter()
        try:
            record = json.loads(line)
        except ValueError:
            continue
        record["t"] = now - started_at
        steps.append(record)
        if len(steps) == warmup:
            cpu_at_warmup = cpu_seconds(process.pid)
    cpu_at_end = samples["cpu"]
    status = process.wait()
    timer.cancel()
    reader.join(timeout=5)
    result = {"exit": status, "steps": len(steps), "stderr_tail": "".join(stderr_lines)[-1500:]}
    if len(steps) > warmup + 1:
        timed = steps[warmup:]
        seconds = timed[-1]["t"] - steps[warmup - 1]["t"]
        tokens = sum(step["tokens"] for step in timed)
        result.update(timed_steps=len(timed), timed_seconds=round(seconds, 3), real_tokens=sum(s["tokens"] for s in steps),
                      real_tokens_per_second=round(tokens / seconds, 1),
                      first_loss=steps[0]["loss"], last_loss=steps[-1]["loss"],
                      seconds_to_first_step=round(steps[0]["t"], 2))
        if cpu_at_warmup is not None and cpu_at_end is not None:
            result["collate_cpu_seconds_timed"] = round(cpu_at_end - cpu_at_warmup, 3)
            result["collate_cpu_share"] = round((cpu_at_end - cpu_at_warmup) / seconds, 5)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collate", required=True, help="the collate binary")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--work", default="/tmp/collate-gpu-bench")
    parser.add_argument("--out")
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--batch-sizes", default="16,8", help="HF examples per step")
    parser.add_argument("--pack-tokens", type=int, default=2048)
    parser.add_argument("--rows", type=int, default=3, help="packed rows per Collate step")
    parser.add_argument("--attentions", default="varlen,sdpa", help="Collate runs' --attn")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny model on CPU, 60 conversations: a rehearsal")
    parser.add_argument("--deadline", type=float, default=150, help="seconds each training run may take")
    parser.add_argument("--train-tolerance", type=float,
                        help="collate train's boundary probe tolerance (default: 0.25 in bf16; 0.001 in float32, "
                             "--quick, like the float32 probe above)")
    args = parser.parse_args()
    if args.train_tolerance is None:
        args.train_tolerance = 0.001 if args.quick else 0.25
    os.makedirs(args.work, exist_ok=True)
    if args.quick:
        args.conversations = min(args.conversations, 60)
    device, dtype = ("cpu", "float32") if args.quick else ("auto", "bfloat16")
    config_path = os.path.join(args.work, "model.json")
    if args.quick:
        with open(config_path, "w") as handle:
            json.dump(TINY, handle)
    else:
        with open(os.path.join(HERE, "llama1b.json")) as handle, open(config_path, "w") as copy:
            copy.write(handle.read())

    # 1. Environment.
    probe_env = subprocess.run([args.python, "-c", """
import json, torch, transformers, platform
info = {"torch": torch.__version__, "transformers": transformers.__version__, "python": platform.python_version(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
try:
    import flash_attn; info["flash_attn"] = flash_attn.__version__
except Exception: info["flash_attn"] = None
try:
    from torch.nn.attention.varlen import varlen_attn; info["torch_varlen_attn"] = True
except Exception: info["torch_varlen_attn"] = False
print(json.dumps(info))"""], capture_output=True, text=True, timeout=120)
    environment = json.loads(probe_env.stdout.strip().splitlines()[-1]) if probe_env.returncode == 0 else {"error": probe_env.stderr[-500:]}
    environment.update(collate=subprocess.run([args.collate, "--version"], capture_output=True, text=True).stdout.strip(),
                       cpus=os.cpu_count(), quick=args.quick)
    with open(config_path) as handle:
        environment["model"] = json.load(handle)
    emit(args.out, {"environment": environment})

    # 2. Workload.
    conversations = os.path.join(args.work, "conversations.jsonl")
    chat = os.path.join(args.work, "chat.jsonl")
    subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "e2e", "make_conversations.py"),
                    str(args.conversations), "7", conversations], check=True)
    with open(chat, "w") as handle:
        subprocess.run([args.collate, "chat", "--template", "mistral-inst", "--tokenizer", TOKENIZER,
                        "--input", conversations], stdout=handle, check=True, timeout=300)
    lengths = [min(len(json.loads(line)["input_ids"]), 2048) for line in open(chat)]
    probe_input = os.path.join(args.work, "probe.jsonl")
    with open(chat) as source, open(probe_input, "w") as handle:
        for _, line in zip(range(6), source):
            handle.write(json.dumps({"input_ids": json.loads(line)["input_ids"][:2048]}) + "\n")
    pipeline = os.path.join(args.work, "pipeline.json")
    with open(pipeline, "w") as handle:
        json.dump({"data": {"path": conversations, "format": "messages"}, "tokenizer": TOKENIZER,
                   "chat_template": "mistral-inst", "train_on": "assistant", "max_length": 2048, "truncation": "right",
                   "packing": {"strategy": "bfd", "max_tokens": args.pack_tokens},
                   "collator": {"type": "sft", "pad_token_id": 2, "padding_free": True},
                   "batch_size": args.rows}, handle)
    listing = subprocess.run([args.collate, "batch", "--config", pipeline], capture_output=True, text=True, timeout=300)
    batch_count = sum(1 for line in listing.stdout.splitlines() if line.strip())
    emit(args.out, {"workload": {"conversations": len(lengths), "real_tokens": sum(lengths),
                                 "mean_length": round(sum(lengths) / len(lengths), 1), "max_length": max(lengths),
                                 "collate_batches": batch_count, "batch_exit": listing.returncode,
                                 "batch_stderr": listing.stderr[-300:]}})

    def worker(attn, worker_dtype):
        return (f"{args.python} {WORKER} --config {config_path} --device {device} --dtype {worker_dtype} --attn {attn}")

    # 3. Boundary probe in float32 on the benchmark's model.
    for attn in args.attentions.split(","):
        started = time.perf_counter()
        try:
            probe = subprocess.run([args.collate, "probe", "--backend", worker(attn, "float32"), "--input", probe_input,
                                    "--timeout", "600", "--format", "json"],
                                   capture_output=True, text=True, timeout=300, cwd=ROOT)
            report = json.loads(probe.stdout.strip().splitlines()[-1]) if probe.stdout.strip() else None
            emit(args.out, {"probe": {"attn": attn, "dtype": "float32", "exit": probe.returncode, "report": report,
                                      "stderr_tail": probe.stderr[-600:], "seconds": round(time.perf_counter() - started, 1)}})
        except Exception as error:
            emit(args.out, {"probe": {"attn": attn, "error": f"{type(error).__name__}: {error}"}})

    def run_hf(batch_size):
        started = time.perf_counter()
        try:
            hf = subprocess.run([args.python, os.path.join(HERE, "hf_padded_train.py"), "--examples", chat,
                                 "--config", config_path, "--tokenizer", TOKENIZER, "--batch-size", str(batch_size),
                                 "--dtype", dtype, "--device", device, "--warmup", str(args.warmup)],
                                capture_output=True, text=True, timeout=args.deadline + 120, cwd=ROOT)
            lines = [json.loads(line) for line in hf.stdout.splitlines() if line.startswith("{")]
            summary = next((line["summary"] for line in lines if "summary" in line), None)
            steps = [line for line in lines if "step" in line]
            record = {"exit": hf.returncode, "summary": summary, "stderr_tail": hf.stderr[-800:] if hf.returncode else "",
                      "first_loss": steps[0]["loss"] if steps else None, "last_loss": steps[-1]["loss"] if steps else None}
        except Exception as error:
            record = {"error": f"{type(error).__name__}: {error}"}
        record.update(batch_size=batch_size, wall=round(time.perf_counter() - started, 1))
        emit(args.out, {"hf": record})

    def run_collate(attn):
        started = time.perf_counter()
        command = [args.collate, "train", "--config", pipeline, "--backend", "worker",
                   "--worker", worker(attn, dtype), "--steps", str(max(batch_count, args.warmup + 2)),
                   "--learning-rate", "0.0001", "--tolerance", str(args.train_tolerance), "--timeout", "600"]
        try:
            record = run_collate_train(command, args.deadline + 120, args.warmup)
        except Exception as error:
            record = {"error": f"{type(error).__name__}: {error}"}
        record.update(attn=attn, pack_tokens=args.pack_tokens, rows=args.rows, wall=round(time.perf_counter() - started, 1))
        emit(args.out, {"collate": record})

    # 4-5. Alternating, so that a run cut short by the machine's time limit still leaves pairs.
    hf_sizes = [int(value) for value in args.batch_sizes.split(",") if value]
    attentions = [value for value in args.attentions.split(",") if value]
    for index in range(max(len(hf_sizes), len(attentions))):
        if index < len(attentions):
            run_collate(attentions[index])
        if index < len(hf_sizes):
            run_hf(hf_sizes[index])


if __name__ == "__main__":
    sys.exit(main())
