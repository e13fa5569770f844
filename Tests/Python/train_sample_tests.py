#!/usr/bin/env python3
"""Failure tests of Samples/TorchDDP/train.py: ranks that die or hang, shards one rank cannot
read, a NaN loss, --fsdp without torchrun.

    python3 Tests/Python/train_sample_tests.py --collate .build/debug/collate

Plain Python (no pytest), like collate_shards_tests.py: one line per test, exit 1 at the first
failure. Needs torch, transformers and safetensors (without them it prints how to enable the tests
and exits 0). The two ranks are started by hand (RANK,
WORLD_SIZE, MASTER_ADDR/PORT, as torchrun sets them) so a test can stop or kill one of them;
under torchrun the elastic agent would tear the others down itself. Run by the Swift suite
`TrainSampleFailureTests` (COLLATE_PYTHON picks the interpreter).

Before (session 5): a rank that hung left the others waiting in all_reduce for torch's default
30 minutes; a rank that could not read its shards returned while the other died with a gloo
traceback; a NaN loss was printed and the optimizer stepped on it; --fsdp in one process was
silently ignored.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from _runner import run_tests

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TRAIN = os.path.join(ROOT, "Samples", "TorchDDP", "train.py")
SPEC = {"type": "flattening"}
LINES = [json.dumps({"input_ids": [number * 7 % 50 + 1 + k for k in range(number % 5 + 3)],
                     "labels": [-100] + [number * 7 % 50 + 2 + k for k in range(number % 5 + 2)]}) for number in range(16)]


class Context:
    def __init__(self, collate: str, scratch: str):
        self.collate = collate
        self.scratch = scratch
        self.spec = os.path.join(scratch, "spec.json")
        with open(self.spec, "w") as handle:
            json.dump(SPEC, handle)
        self.data = os.path.join(scratch, "data.jsonl")
        with open(self.data, "w") as handle:
            handle.write("\n".join(LINES) + "\n")
        self.exports: dict[int, str] = {}

    def export(self, world_size: int) -> str:
        if world_size not in self.exports:
            out = os.path.join(self.scratch, f"shards-{world_size}")
            command = [self.collate, "export", "--spec", self.spec, "--input", self.data, "--out", out,
                       "--world-size", str(world_size), "--batch-size", "2"]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}: {result.stderr}"
            self.exports[world_size] = out
        return self.exports[world_size]

    def copy(self, source: str, name: str) -> str:
        target = os.path.join(self.scratch, name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Rank:
    """One rank of a hand-started 2-process run, its output in files."""

    def __init__(self, context: Context, rank: int, port: int, arguments: list[str]):
        self.out = os.path.join(context.scratch, f"rank{rank}-{port}.out")
        self.err = os.path.join(context.scratch, f"rank{rank}-{port}.err")
        environment = {**os.environ, "RANK": str(rank), "WORLD_SIZE": "2", "LOCAL_RANK": str(rank),
                       "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"}
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.process = subprocess.Popen([sys.executable, TRAIN] + arguments, stdout=out, stderr=err, env=environment,
                                            start_new_session=True)

    def lines(self) -> list[str]:
        with open(self.out) as handle:
            return [line for line in handle.read().splitlines() if line.strip()]

    def stderr(self) -> str:
        with open(self.err) as handle:
            return handle.read()

    def wait(self, seconds: float) -> int | None:
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def two_ranks(context: Context, arguments: list[str]) -> tuple[Rank, Rank]:
    port = free_port()
    return Rank(context, 0, port, arguments), Rank(context, 1, port, arguments)


def wait_for_line(rank: Rank, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not rank.lines():
        assert rank.process.poll() is None, f"rank exited {rank.process.returncode} early: {rank.stderr()}"
        assert time.monotonic() < deadline, f"no step line within {seconds} s: {rank.stderr()}"
        time.sleep(0.1)


def test_a_hung_rank_stops_the_other_at_the_deadline(context: Context) -> None:
    shards = context.export(2)
    first, second = two_ranks(context, ["--shards", shards, "--steps", "100000", "--timeout", "5"])
    try:
        wait_for_line(second, 240)
        os.killpg(second.process.pid, signal.SIGSTOP)          # alive, silent: a hung rank
        stopped = time.monotonic()
        status = first.wait(120)
        waited = time.monotonic() - stopped
        assert status == 1, f"rank 0 still waits {waited:.0f} s after rank 1 hung (status {status}): {first.stderr()[-2000:]}"
        message = first.stderr()
        assert "did not answer within --timeout 5 s" in message, message[-2000:]
        assert "Traceback" not in message, message[-2000:]
    finally:
        first.kill()
        second.kill()


def test_a_dead_rank_stops_the_other_with_a_message(context: Context) -> None:
    shards = context.export(2)
    first, second = two_ranks(context, ["--shards", shards, "--steps", "100000", "--timeout", "60"])
    try:
        wait_for_line(second, 240)
        second.kill()
        status = first.wait(90)
        assert status == 1, f"rank 0 did not stop after rank 1 died (status {status}): {first.stderr()[-2000:]}"
        message = first.stderr()
        assert "a collective operation failed, so another rank died" in message, message[-2000:]
        assert "Traceback" not in message, message[-2000:]
    finally:
        first.kill()
        second.kill()


def test_shards_one_rank_cannot_read_stop_every_rank(context: Context) -> None:
    broken = context.copy(context.export(2), "broken")
    victim = os.path.join(broken, "rank-00001", "batch-000001.safetensors")
    with open(victim, "r+b") as handle:
        handle.truncate(os.path.getsize(victim) - 3)
    first, second = two_ranks(context, ["--shards", broken, "--steps", "3", "--timeout", "60"])
    try:
        statuses = (first.wait(180), second.wait(180))
        assert statuses == (1, 1), f"statuses {statuses}: {first.stderr()[-1500:]}\n{second.stderr()[-1500:]}"
        assert "batch-000001.safetensors" in second.stderr() and "incomplete" in second.stderr(), second.stderr()[-1500:]
        assert "another rank cannot read its shards" in first.stderr(), first.stderr()[-1500:]
        assert "Traceback" not in first.stderr() + second.stderr()
        assert first.lines() == [] and second.lines() == [], "no step is taken"
    finally:
        first.kill()
        second.kill()


def run_one(context: Context, arguments: list[str]) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    return subprocess.run([sys.executable, TRAIN] + arguments, capture_output=True, text=True, timeout=300, env=environment)


def test_a_nan_loss_stops_before_the_optimizer_step(context: Context) -> None:
    # Plain SGD with an absurd learning rate: step 1 is finite, its update makes step 2's loss
    # non-finite.
    result = run_one(context, ["--shards", context.export(1), "--steps", "5", "--optimizer", "sgd", "--lr", "1e30"])
    assert result.returncode == 1, f"status {result.returncode}: {result.stdout}\n{result.stderr[-1500:]}"
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert lines and len(lines) < 5, lines
    assert all(line["loss"] is not None for line in lines), "every printed step has a finite loss"
    assert f"step {len(lines) + 1}: the loss is" in result.stderr and "no optimizer step was taken" in result.stderr, \
        result.stderr[-1500:]


def test_fsdp_in_one_process_says_it_does_not_shard(context: Context) -> None:
    result = run_one(context, ["--shards", context.export(1), "--steps", "1", "--fsdp"])
    assert result.returncode == 0, result.stderr[-1500:]
    assert "--fsdp shards the model over the ranks of a torchrun" in result.stderr, result.stderr[-1500:]
    assert len(result.stdout.splitlines()) == 1


def test_a_bad_timeout_is_a_usage_error(context: Context) -> None:
    result = run_one(context, ["--shards", context.export(1), "--timeout", "0"])
    assert result.returncode == 2 and "--timeout 0.0: must be a positive number" in result.stderr, result.stderr[-800:]


def missing_requirements() -> str | None:
    """Why these tests cannot run here (a module that does not import), or None."""
    for name in ("torch", "transformers", "safetensors"):
        try:
            __import__(name)
        except ImportError as error:
            return (f"skipped: {name} is not importable by {sys.executable} ({error}); enable these tests with "
                    f"`{sys.executable} -m pip install -r Sources/CollateBackends/Worker/requirements.txt`, or run them "
                    f"with a Python that has them")
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collate", required=True, help="the built collate executable")
    parser.add_argument("--only", help="run only the tests whose name contains this")
    args = parser.parse_args()
    problem = missing_requirements()
    if problem:
        print(problem)
        return 0
    tests = [(name, value) for name, value in globals().items()
             if name.startswith("test_") and callable(value) and (args.only is None or args.only in name)]
    return run_tests(tests, lambda scratch: Context(os.path.abspath(args.collate), scratch), "collate-train-sample-tests-")


if __name__ == "__main__":
    sys.exit(main())
