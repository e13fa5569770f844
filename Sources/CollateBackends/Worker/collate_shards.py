"""Read `collate export` shards in PyTorch: an IterableDataset and a map-style Dataset.

`collate export --world-size W --batch-size B --out DIR` writes one safetensors file per batch:

    DIR/index.json                              written last: the export's table of contents
    DIR/rank-00000/batch-000000.safetensors     rank 0's first batch
    DIR/rank-00000/batch-000001.safetensors
    DIR/rank-00001/batch-000000.safetensors     ...

Ranks were assigned at export time with `torch.utils.data.distributed.DistributedSampler`
semantics (no shuffle, the last examples wrapped around so every rank has the same number of
batches), so rank r of a W-process run reads `rank-r/` and every rank takes the same number of
steps. Each shard's `__metadata__` holds the export's `fingerprint`, its `rank`, `batch`,
`examples` (indices into the exported dataset) and `lines` (the 0-based line numbers of those
examples in the file `collate export` read; they differ from `examples` when the file has
blank lines or a transform dropped examples; with packing, a batch's `examples` are its packed
rows and `lines` name every conversation in those rows, in row order).

Before any batch is returned the reader checks the export: index.json present and of this
format, every (rank, batch) listed once, every shard present, complete, and carrying the
index's fingerprint, rank, batch and examples. A folder holding shards of two exports (the
dataset, spec or layout changed and the re-export was interrupted), or one whose export never
finished, is refused with `ShardError` saying what to run.

    from collate_shards import ShardIterableDataset
    dataset = ShardIterableDataset("shards")              # rank, world size from torch.distributed
    for batch in dataset:                                  # one ShardBatch per step
        output = model(**batch.model_inputs(), use_cache=False)
        batch.example_indices                              # 0-based dataset lines in this batch
    state = dataset.state_dict()                           # {"epoch", "batch", ...}: resume later
    dataset.load_state_dict(state)

Needs torch and safetensors (numpy only through safetensors). Plain Python otherwise.
"""
from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

import torch
from safetensors.torch import load as _load_safetensors
from torch.utils.data import Dataset, IterableDataset

__all__ = [
    "FORMAT",
    "ShardBatch",
    "ShardDataset",
    "ShardError",
    "ShardIndex",
    "ShardInfo",
    "ShardIterableDataset",
    "resolve_rank",
]

FORMAT = "collate-safetensors-shards"
VERSION = 1
MODEL_INPUTS = ("input_ids", "attention_mask", "position_ids", "labels")
_RERUN = "re-run the same `collate export` command (it keeps complete shards and writes the rest)"


class ShardError(ValueError):
    """An export that cannot be read as it stands; the message names the file and what to do."""


@dataclass(frozen=True)
class ShardInfo:
    """One shard as index.json lists it."""

    file: str
    rank: int
    batch: int
    examples: tuple[int, ...]
    lines: tuple[int, ...] | None
    tokens: int


@dataclass
class ShardBatch:
    """One exported batch: its tensors by HF field name and the examples it holds."""

    tensors: dict[str, torch.Tensor]
    rank: int
    batch: int
    examples: list[int]
    """Indices of the examples in the dataset `collate export` collated (after its transforms)."""
    example_indices: list[int] | None
    """0-based line numbers of the examples in the file `collate export` read (None when the
    export did not record them)."""
    tokens: int
    """Real tokens of the batch's examples (their `input_ids`), as index.json counts them."""
    file: str

    def model_inputs(self, names: Sequence[str] = MODEL_INPUTS) -> dict[str, torch.Tensor]:
        """The tensors a transformers model takes by name (those of `names` the batch has)."""
        return {name: self.tensors[name] for name in names if name in self.tensors}

    def to(self, device: torch.device | str) -> "ShardBatch":
        """The same batch with its tensors on `device`."""
        moved = {name: tensor.to(device) for name, tensor in self.tensors.items()}
        return ShardBatch(moved, self.rank, self.batch, self.examples, self.example_indices, self.tokens, self.file)


def resolve_rank(rank: int | None = None, world_size: int | None = None) -> tuple[int, int]:
    """(rank, world_size): explicit values win, then torch.distributed when it is initialised,
    then torchrun's RANK / WORLD_SIZE environment, then (0, 1) -- as DistributedSampler does."""
    if rank is None or world_size is None:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            found_rank, found_world = dist.get_rank(), dist.get_world_size()
        else:
            found_rank = int(os.environ.get("RANK", "0"))
            found_world = int(os.environ.get("WORLD_SIZE", "1"))
        rank = found_rank if rank is None else rank
        world_size = found_world if world_size is None else world_size
    if world_size < 1 or not 0 <= rank < world_size:
        raise ShardError(f"rank {rank} is not in [0, {world_size}) for world size {world_size}")
    return rank, world_size


def _int_list(value: Any, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        raise ShardError(f"{where} is not a list of integers: {value!r}; {_RERUN}")
    return tuple(value)


class ShardIndex:
    """An export's index.json, checked, with the shard files it lists."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = os.fspath(directory)
        path = os.path.join(self.directory, "index.json")
        if not os.path.isdir(self.directory):
            raise ShardError(f"{self.directory}: no such folder; run `collate export ... --out {self.directory}` first")
        if not os.path.exists(path):
            raise ShardError(
                f"{path} is missing: the export in {self.directory} is incomplete (collate export writes index.json "
                f"after every shard); {_RERUN}")
        try:
            with open(path, encoding="utf-8") as handle:
                index = json.load(handle)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ShardError(f"{path}: cannot read it as JSON ({error}); {_RERUN}") from None
        if not isinstance(index, dict) or index.get("format") != FORMAT:
            raise ShardError(f"{path}: not a collate export index (format {index.get('format') if isinstance(index, dict) else None!r}, "
                             f"expected {FORMAT!r})")
        if index.get("version") != VERSION:
            raise ShardError(f"{path}: index version {index.get('version')!r}; this reader reads version {VERSION}")
        self.path = path
        self.fingerprint: str = str(index.get("fingerprint"))
        self.world_size: int = index.get("world_size")
        self.batch_size: int | None = index.get("batch_size")
        self.examples: int = index.get("examples")
        self.batches_per_rank: int = index.get("batches_per_rank")
        tensors = index.get("tensors")
        self.tensors: dict[str, str] = dict(tensors) if isinstance(tensors, dict) else {}
        for key in ("world_size", "examples", "batches_per_rank"):
            value = index.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ShardError(f"{path}: {key!r} is {value!r}, expected a non-negative integer; {_RERUN}")
        shards = index.get("shards")
        if not isinstance(shards, list):
            raise ShardError(f"{path}: 'shards' is not a list; {_RERUN}")
        # Checked before anything is sized by them: a damaged index must not allocate a table
        # of world_size x batches_per_rank entries it cannot hold.
        if len(shards) != self.world_size * self.batches_per_rank:
            raise ShardError(f"{path}: lists {len(shards)} shards but world_size {self.world_size} x batches_per_rank "
                             f"{self.batches_per_rank} needs {self.world_size * self.batches_per_rank}; the index is damaged "
                             f"or from an unfinished export; {_RERUN}")
        self._by_rank: list[list[ShardInfo | None]] = [[None] * self.batches_per_rank for _ in range(self.world_size)]
        for number, entry in enumerate(shards):
            where = f"{path}: shards[{number}]"
            if not isinstance(entry, dict):
                raise ShardError(f"{where} is not an object; {_RERUN}")
            rank, batch = entry.get("rank"), entry.get("batch")
            if not isinstance(rank, int) or not isinstance(batch, int) or not 0 <= rank < self.world_size \
                    or not 0 <= batch < self.batches_per_rank:
                raise ShardError(f"{where}: rank {rank!r}, batch {batch!r} outside world size {self.world_size} x "
                                 f"{self.batches_per_rank} batches; {_RERUN}")
            if self._by_rank[rank][batch] is not None:
                raise ShardError(f"{where}: rank {rank} batch {batch} is listed twice; {_RERUN}")
            lines = entry.get("lines")
            info = ShardInfo(
                file=str(entry.get("file")), rank=rank, batch=batch,
                examples=_int_list(entry.get("examples"), f"{where}.examples"),
                lines=None if lines is None else _int_list(lines, f"{where}.lines"),
                tokens=entry.get("tokens") if isinstance(entry.get("tokens"), int) else 0)
            if os.path.isabs(info.file) or ".." in info.file.split("/"):
                raise ShardError(f"{where}: file {info.file!r} is outside the export folder")
            self._by_rank[rank][batch] = info
        for rank, batches in enumerate(self._by_rank):
            for batch, info in enumerate(batches):
                if info is None:
                    raise ShardError(f"{path} does not list rank {rank} batch {batch}; {_RERUN}")

    def rank_shards(self, rank: int) -> list[ShardInfo]:
        """Rank `rank`'s shards in batch order."""
        return list(self._by_rank[rank])  # type: ignore[arg-type]

    def all_shards(self) -> list[ShardInfo]:
        """Every shard, step-major: batch 0 of ranks 0..W-1, then batch 1, ... (a global batch at a time)."""
        return [self._by_rank[rank][batch] for batch in range(self.batches_per_rank)  # type: ignore[misc]
                for rank in range(self.world_size)]

    def check_world_size(self, world_size: int) -> None:
        """Refuses a run whose world size is not the export's: the ranks' examples were fixed at export."""
        if world_size != self.world_size:
            raise ShardError(
                f"{self.path}: the export was written for world size {self.world_size} but this run has world size "
                f"{world_size}; re-export with `collate export ... --world-size {world_size}` (each rank's examples are "
                f"chosen at export time)")

    def _read_metadata(self, path: str, head: bytes, size: int) -> dict[str, str]:
        """The `__metadata__` of a shard whose first bytes are `head` and whose length is `size`;
        refuses a file shorter than its header says (a shard whose write never finished)."""
        if len(head) < 8:
            raise ShardError(f"{path}: {size} bytes, shorter than a safetensors header; the shard is incomplete; {_RERUN}")
        (length,) = struct.unpack("<Q", head[:8])
        if length > size - 8 or len(head) < 8 + length:
            raise ShardError(f"{path}: header of {length} bytes runs past the end of the file; the shard is incomplete; {_RERUN}")
        try:
            header = json.loads(head[8:8 + length].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ShardError(f"{path}: unreadable safetensors header ({error}); {_RERUN}") from None
        if not isinstance(header, dict):
            raise ShardError(f"{path}: safetensors header is not a JSON object; {_RERUN}")
        end = 0
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
            if not isinstance(offsets, list) or len(offsets) != 2 or not all(isinstance(x, int) for x in offsets):
                raise ShardError(f"{path}: tensor {name!r} has no valid data_offsets; {_RERUN}")
            end = max(end, offsets[1])
        if 8 + length + end > size:
            raise ShardError(f"{path}: {size} bytes but its tensors need {8 + length + end}; the shard is incomplete; {_RERUN}")
        metadata = header.get("__metadata__")
        return metadata if isinstance(metadata, dict) else {}

    def _verify(self, info: ShardInfo, path: str, head: bytes, size: int) -> None:
        metadata = self._read_metadata(path, head, size)
        if metadata.get("format") != FORMAT:
            raise ShardError(f"{path}: metadata format {metadata.get('format')!r}, expected {FORMAT!r}: not a collate shard")
        if metadata.get("fingerprint") != self.fingerprint:
            raise ShardError(
                f"mixed export: {path} has fingerprint {metadata.get('fingerprint')!r} but {self.path} has "
                f"{self.fingerprint!r}, so the folder holds shards of two different exports (the dataset, spec or layout "
                f"changed). Re-run the newer `collate export` command to finish it, or export into an empty folder")
        for key, value in (("rank", str(info.rank)), ("batch", str(info.batch))):
            if metadata.get(key) != value:
                raise ShardError(f"mixed export: {path} says {key} {metadata.get(key)!r}, {self.path} says {value}; {_RERUN}")
        for key, expected in (("examples", info.examples), ("lines", info.lines)):
            text = metadata.get(key)
            try:
                found = None if text is None else tuple(json.loads(text))
            except (TypeError, json.JSONDecodeError):
                found = ()
            if found != expected:
                raise ShardError(f"mixed export: {path} holds {key} {text} but {self.path} lists "
                                 f"{None if expected is None else list(expected)}; {_RERUN}")

    def _missing(self, info: ShardInfo, path: str) -> ShardError:
        return ShardError(f"incomplete export: {path} (rank {info.rank}, batch {info.batch}) listed in {self.path} "
                          f"is missing; {_RERUN}")

    def check(self, shards: Sequence[ShardInfo]) -> None:
        """Checks `shards` against the index, reading only their headers.

        Raises ShardError for an incomplete export (a listed shard missing or truncated; the
        message counts every missing file) or a mixed one (a shard's fingerprint, rank, batch
        or examples differ from index.json)."""
        missing = [info for info in shards if not os.path.isfile(os.path.join(self.directory, info.file))]
        if missing:
            raise ShardError(
                f"incomplete export: {len(missing)} of {len(shards)} shards listed in {self.path} are missing "
                f"(first: {missing[0].file}); {_RERUN}")
        for info in shards:
            path = os.path.join(self.directory, info.file)
            try:
                with open(path, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    head = handle.read(8)
                    if len(head) == 8:
                        (length,) = struct.unpack("<Q", head)
                        head += handle.read(min(length, size))
            except OSError as error:
                raise ShardError(f"{path}: cannot read the shard ({error.strerror or error}); {_RERUN}") from None
            self._verify(info, path, head, size)

    def load(self, info: ShardInfo) -> ShardBatch:
        """Reads one shard, checks it against the index (as `check` does) and decodes its tensors."""
        path = os.path.join(self.directory, info.file)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise self._missing(info, path) from None
        except OSError as error:
            raise ShardError(f"{path}: cannot read the shard ({error.strerror or error}); {_RERUN}") from None
        self._verify(info, path, data, len(data))
        try:
            tensors = _load_safetensors(data)
        except Exception as error:  # safetensors' own error type differs between its versions
            raise ShardError(f"{path}: not a readable safetensors file ({str(error).splitlines()[0] if str(error) else error!r}); "
                             f"the shard is damaged; {_RERUN}") from None
        return ShardBatch(tensors=tensors, rank=info.rank, batch=info.batch, examples=list(info.examples),
                          example_indices=None if info.lines is None else list(info.lines), tokens=info.tokens,
                          file=info.file)


class ShardIterableDataset(IterableDataset):
    """One rank's batches of a `collate export`, in order, resumable.

    Each iteration yields the rest of the current epoch (one ShardBatch per step, batch 0..N-1
    of this rank's folder), then moves the state to the next epoch; every epoch has the same
    batches (the export fixed the order). `state_dict()` / `load_state_dict()` save and restore
    the position, as torchtune's and HF datasets' iterable datasets do. Iterate in the main
    process (`DataLoader(dataset, batch_size=None)`, `num_workers=0`: a step is one file read),
    or with `num_workers > 0` under torchdata's `StatefulDataLoader`, which keeps each worker's
    state: worker w of n yields the batches whose position is w modulo n, which the loader
    interleaves back into order.

    Args:
        directory: the `--out` folder of `collate export`.
        rank, world_size: default to torch.distributed's (or torchrun's RANK / WORLD_SIZE);
            the world size must be the export's `--world-size`.
        verify: check every shard of this rank (headers only) before the first batch.
    """

    def __init__(self, directory: str | os.PathLike[str], *, rank: int | None = None, world_size: int | None = None,
                 verify: bool = True):
        super().__init__()
        self.index = ShardIndex(directory)
        self.rank, self.world_size = resolve_rank(rank, world_size)
        self.index.check_world_size(self.world_size)
        self.shards = self.index.rank_shards(self.rank)
        if verify:
            self.index.check(self.shards)
        self.epoch = 0
        self.position = 0

    def __len__(self) -> int:
        """Batches per epoch (the same on every rank)."""
        return len(self.shards)

    def __iter__(self) -> Iterator[ShardBatch]:
        info = torch.utils.data.get_worker_info()
        workers, worker = (1, 0) if info is None else (info.num_workers, info.id)
        while self.position < len(self.shards):
            position = self.position
            self.position += 1
            if position % workers == worker:
                yield self.index.load(self.shards[position])
        self.epoch += 1
        self.position = 0

    def state_dict(self) -> dict[str, Any]:
        """The position to resume from: the next batch of the current epoch, and which export it is in."""
        return {"format": FORMAT, "fingerprint": self.index.fingerprint, "rank": self.rank,
                "world_size": self.world_size, "epoch": self.epoch, "batch": self.position}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resumes at `state["batch"]` of `state["epoch"]`; refuses a state from another export or rank."""
        if state.get("format") != FORMAT:
            raise ShardError(f"not a collate_shards state: {dict(state)!r}")
        if state.get("fingerprint") != self.index.fingerprint:
            raise ShardError(f"the state is from the export with fingerprint {state.get('fingerprint')!r}, these shards "
                             f"are {self.index.fingerprint!r} ({self.index.path}); resume with the export it was saved from")
        if (state.get("rank"), state.get("world_size")) != (self.rank, self.world_size):
            raise ShardError(f"the state is rank {state.get('rank')} of {state.get('world_size')}, this reader is rank "
                             f"{self.rank} of {self.world_size}; load each rank's own state")
        batch, epoch = state.get("batch"), state.get("epoch")
        if not isinstance(batch, int) or not 0 <= batch <= len(self.shards) or not isinstance(epoch, int) or epoch < 0:
            raise ShardError(f"state batch {batch!r} / epoch {epoch!r} out of range (this rank has {len(self.shards)} batches)")
        self.epoch, self.position = epoch, batch


class ShardDataset(Dataset):
    """Map-style access to an export's batches: item i is batch i of this rank.

    With `all_ranks=True` one process reads every rank's shards, step-major (batch 0 of ranks
    0..W-1, then batch 1, ...), whatever its own rank: for evaluation or inspection. Use it with
    `DataLoader(dataset, batch_size=None)`; the items are already batches.

    Args:
        directory: the `--out` folder of `collate export`.
        rank, world_size: default to torch.distributed's (or torchrun's); ignored with all_ranks.
        all_ranks: read every rank's shards.
        verify: check every shard this dataset reads (headers only) before the first item.
    """

    def __init__(self, directory: str | os.PathLike[str], *, rank: int | None = None, world_size: int | None = None,
                 all_ranks: bool = False, verify: bool = True):
        self.index = ShardIndex(directory)
        if all_ranks:
            self.rank, self.world_size = None, self.index.world_size
            self.shards = self.index.all_shards()
        else:
            self.rank, self.world_size = resolve_rank(rank, world_size)
            self.index.check_world_size(self.world_size)
            self.shards = self.index.rank_shards(self.rank)
        if verify:
            self.index.check(self.shards)

    def __len__(self) -> int:
        return len(self.shards)

    def __getitem__(self, item: int) -> ShardBatch:
        if not -len(self.shards) <= item < len(self.shards):
            raise IndexError(f"batch {item} out of range for {len(self.shards)} batches")
        return self.index.load(self.shards[item])
