#!/usr/bin/env python3
"""Collate external-backend worker: a transformers causal LM behind Collate's worker protocol.

Protocol version 1 (Guides/Backends.md, "External-process backend"):

  request  (stdin):  u64 little-endian length N, then N bytes of safetensors whose
                     __metadata__ holds {"op": ..., ...} and whose tensors are the batch
  reply    (stdout): one line of JSON, {"ok": true, ...} or {"ok": false, "error": "..."}

  op          metadata                          reply
  hello       protocol                          protocol, worker, model{vocab_size, max_length, ...}
  forward     return ("token_losses,logits")    loss, num_items, outputs[{name, shape}], values{name: [...]}
  accumulate  num_items_in_batch, return        as forward; gradients are added
  step        learning_rate                     step
  shutdown    -                                 {} then exit 0

Everything else the process prints goes to stderr: stdout carries replies only.

usage:
  collate_worker.py --config '{"model_type": "llama", "hidden_size": 256, ...}' [options]   random init
  collate_worker.py --tiny-llama [--vocab-size N] [options]                                  random init, built-in tiny Llama
  collate_worker.py --model /path/to/local/model [options]                                  local weights
options: --dtype float32|bfloat16|float16  --device auto|cpu|cuda  --attn sdpa|eager|flex_attention|flash_attention_2|varlen
         --use-cache false|true  --seed N  --optimizer adamw|sgd  --weight-decay X (default: torch's)
         --vocab-size N (with --config or --tiny-llama: overrides the config's vocab_size)

Labels are masked at packed-sequence starts (position_ids restarting at 0 after a real token,
or cu_seq_lens_q offsets) before the model sees them, so the last token of one sequence is never
trained to predict the first of the next and num_items counts exactly the targets Collate's
Trainer counts for num_items_in_batch.
--attn varlen is variable-length attention without the flash-attn package: each packed sequence
attends only to itself, through torch.nn.attention.varlen.varlen_attn on CUDA (PyTorch >= 2.10) or
one causal scaled_dot_product_attention per sequence elsewhere; sequence bounds come from the batch's
cu_seq_lens_q / position_ids, so no T x T mask is built for a packed row.
Nothing is downloaded (HF_HUB_OFFLINE=1). Needs torch and transformers (requirements.txt beside
this file); without them the worker prints one line with the install command and exits 3.

The protocol layer (read_frame, parse_safetensors, serve) needs only the standard library, so
tests drive it with a model written in plain Python.
"""
import json
import math
import os
import struct
import sys
import traceback

PROTOCOL_VERSION = 1
WORKER_NAME = "collate_worker 1"
_DTYPES = {"I64": ("q", 8), "I32": ("i", 4)}


class ProtocolError(Exception):
    """The host sent something that is not a protocol frame; the worker cannot continue."""


def claim_stdout():
    """Returns a binary file on the real stdout and points fd 1 (and sys.stdout) at stderr,
    so prints from libraries can never corrupt the reply stream."""
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return replies


def read_exact(stream, count):
    """Reads exactly count bytes; None at a clean end of input before the first byte."""
    chunks, got = [], 0
    while got < count:
        chunk = stream.read(count - got)
        if not chunk:
            if got == 0:
                return None
            raise ProtocolError(f"input ended after {got} of {count} bytes of a frame")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(stream):
    """One frame's safetensors bytes, or None at end of input."""
    prefix = read_exact(stream, 8)
    if prefix is None:
        return None
    (length,) = struct.unpack("<Q", prefix)
    if length > 1 << 40:
        raise ProtocolError(f"frame length {length} is implausible; the host is not speaking the protocol")
    body = read_exact(stream, length)
    if body is None and length:
        raise ProtocolError("input ended before a frame's body")
    return body or b""


def parse_safetensors(data):
    """(metadata, [(name, dtype, shape, bytes)]) in data order, with strict checks."""
    if len(data) < 8:
        raise ProtocolError(f"safetensors frame of {len(data)} bytes is shorter than its header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ProtocolError(f"safetensors header length {n} exceeds the frame")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ProtocolError("safetensors header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    buffer = memoryview(data)[8 + n:]
    entries = []
    for name, entry in header.items():
        dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in _DTYPES:
            raise ProtocolError(f"tensor {name!r} has dtype {dtype}; the protocol sends I64 and I32 only")
        count = 1
        for extent in shape:
            count *= extent
        if end - begin != count * _DTYPES[dtype][1] or end > len(buffer):
            raise ProtocolError(f"tensor {name!r}: data_offsets {[begin, end]} do not match shape {shape}")
        entries.append((begin, name, dtype, shape, buffer[begin:end]))
    entries.sort(key=lambda item: item[0])
    return metadata, [(name, dtype, shape, raw) for _, name, dtype, shape, raw in entries]


def int_values(dtype, raw):
    """The integers of a tensor's bytes, as a flat list (no numpy or torch needed)."""
    code, width = _DTYPES[dtype]
    return list(struct.unpack(f"<{len(raw) // width}{code}", raw))


def _finite(value):
    """JSON has no NaN: non-finite floats travel as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def encode_reply(reply):
    if "values" in reply:
        reply["values"] = {name: [_finite(v) for v in values] for name, values in reply["values"].items()}
    if "loss" in reply:
        loss = reply["loss"]
        reply["loss"] = _finite(loss)
        if loss is not None and reply["loss"] is None:
            # null alone would read as "no loss" (a model that ignored its labels); say which
            # non-finite value it was, so the host reports a NaN loss as one.
            reply["loss_nonfinite"] = "nan" if math.isnan(loss) else ("inf" if loss > 0 else "-inf")
    return (json.dumps(reply, allow_nan=False, separators=(",", ":")) + "\n").encode("utf-8")


def serve(model, replies, requests=None):
    """Answers frames from requests (stdin) on replies until shutdown or end of input.

    model has hello() -> dict, forward(tensors, metadata) -> dict, accumulate(tensors, metadata)
    -> dict and step(learning_rate) -> int; tensors is [(name, dtype, shape, bytes)]. An
    exception in a model method is an error reply and the worker carries on; a broken frame or
    a protocol version it does not speak ends the worker.
    """
    requests = requests or sys.stdin.buffer
    while True:
        frame = read_frame(requests)
        if frame is None:
            return 0
        metadata, tensors = parse_safetensors(frame)
        op = metadata.get("op")
        if op == "hello":
            version = metadata.get("protocol")
            if version != str(PROTOCOL_VERSION):
                replies.write(encode_reply({"ok": False, "protocol": PROTOCOL_VERSION,
                                            "error": f"this worker speaks protocol {PROTOCOL_VERSION}, the host {version}"}))
                return 2
        if op == "shutdown":
            replies.write(encode_reply({"ok": True}))
            return 0
        try:
            if op == "hello":
                reply = {"ok": True, "protocol": PROTOCOL_VERSION, "worker": WORKER_NAME}
                reply.update(model.hello())
            elif op == "forward":
                reply = {"ok": True, **model.forward(tensors, metadata)}
            elif op == "accumulate":
                reply = {"ok": True, **model.accumulate(tensors, metadata)}
            elif op == "step":
                reply = {"ok": True, "step": model.step(float(metadata["learning_rate"]))}
            else:
                reply = {"ok": False, "error": f"unknown op {op!r}; expected hello, forward, accumulate, step or shutdown"}
        except Exception as error:  # the request failed, the worker did not
            traceback.print_exc(file=sys.stderr)
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        replies.write(encode_reply(reply))


def requested(metadata):
    return [name for name in metadata.get("return", "").split(",") if name]


# ---------------------------------------------------------------------------------------------
# The transformers model


class TorchCausalLM:
    """A transformers causal LM that runs Collate batches by their HF field names."""

    PASSED = ("input_ids", "attention_mask", "position_ids", "labels")
    FLASH = ("cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k")

    def __init__(self, args):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        import transformers
        from transformers import AutoConfig, AutoModelForCausalLM

        self.torch = torch
        self.transformers_version = transformers.__version__
        dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[args.dtype]
        if args.device == "auto":
            self.device = "cuda" if torch.cuda.is_available() else "cpu"
        else:
            self.device = args.device
        torch.manual_seed(args.seed)
        self.varlen_kernel = register_varlen_attention(torch, self.device) if args.attn == VARLEN else None
        if args.model:
            model = AutoModelForCausalLM.from_pretrained(args.model, attn_implementation=args.attn, local_files_only=True)
        else:
            settings = model_settings(args)
            config = AutoConfig.for_model(settings.pop("model_type", "llama"), **settings)
            model = AutoModelForCausalLM.from_config(config, attn_implementation=args.attn)
        self.model = model.to(device=self.device, dtype=dtype)
        self.dtype_name = args.dtype
        self.attn = args.attn
        self.use_cache = args.use_cache == "true"
        self.optimizer_name = args.optimizer
        self.weight_decay = args.weight_decay
        self.optimizer = None
        self.steps = 0
        self.dropped = set()

    def hello(self):
        config = self.model.config
        return {
            "model": {
                "model_type": config.model_type,
                "vocab_size": config.vocab_size,
                "max_length": getattr(config, "max_position_embeddings", None),
                "parameters": sum(p.numel() for p in self.model.parameters()),
                "dtype": self.dtype_name,
                "device": self.device,
                "attn_implementation": self.attn,
            },
            **({"varlen_kernel": self.varlen_kernel} if self.varlen_kernel else {}),
            "use_cache": self.use_cache,
            # use_cache=True lets transformers' own mask functions attend across packed sequences;
            # varlen builds no mask and keeps them apart either way.
            "accepts_padding_free": not self.use_cache or self.attn == VARLEN,
            "optimizer": self.optimizer_name,
            "torch": self.torch.__version__,
            "transformers": self.transformers_version,
        }

    def _inputs(self, tensors):
        torch = self.torch
        kinds = {"I64": torch.int64, "I32": torch.int32}
        inputs = {}
        for name, dtype, shape, raw in tensors:
            tensor = torch.frombuffer(bytearray(raw), dtype=kinds[dtype]).reshape(shape) if len(raw) else \
                torch.zeros(shape, dtype=kinds[dtype])
            if name in self.PASSED:
                inputs[name] = tensor.to(self.device)
            elif name in self.FLASH and (self.attn.startswith("flash") or self.attn == VARLEN):
                inputs[name] = int(tensor) if name.startswith("max_length") else tensor.to(self.device)
            elif name not in self.dropped:
                self.dropped.add(name)
                print(f"collate_worker: not passing '{name}' to the model (attention {self.attn})", file=sys.stderr)
        if "input_ids" not in inputs:
            raise ValueError("the batch has no input_ids")
        if inputs["input_ids"].numel() == 0:
            raise ValueError(f"the batch has no tokens (input_ids of shape {list(inputs['input_ids'].shape)}); "
                             f"send at least one token per row")
        return inputs

    def _mask_sequence_starts(self, inputs, tensors):
        """labels with the ignore index where a packed sequence starts (never at column 0): the
        previous position belongs to another sequence, so its prediction is not a target."""
        labels = inputs.get("labels")
        if labels is None or labels.dim() != 2:
            return labels
        starts = None
        positions = inputs.get("position_ids")
        if positions is not None and positions.shape == labels.shape:
            starts = positions == 0
            starts[:, 0] = False
            mask = inputs.get("attention_mask")
            if mask is not None and mask.shape == labels.shape:
                starts[:, 1:] &= mask[:, :-1] != 0
        else:
            # cu_seq_lens_q are offsets into the rows laid end to end, whatever the batch size.
            offsets = [int_values(dtype, raw) for name, dtype, shape, raw in tensors if name == "cu_seq_lens_q"]
            if offsets:
                return mask_packed_starts(self.torch, labels, offsets[0])
        if starts is None or not bool(starts.any()):
            return labels
        return labels.masked_fill(starts, -100)

    def _run(self, tensors, metadata, train):
        torch = self.torch
        inputs = self._inputs(tensors)
        if self.attn == VARLEN:
            labels = mask_packed_starts(torch, inputs.get("labels"), varlen_bounds(torch, inputs))
        else:
            labels = self._mask_sequence_starts(inputs, tensors)
            packed_rows_without_mask(inputs, self.attn)
        if labels is not None:
            inputs["labels"] = labels
        extra = {}
        if train and "num_items_in_batch" in metadata:
            extra["num_items_in_batch"] = int(metadata["num_items_in_batch"])
        self.model.train(train)
        with torch.set_grad_enabled(train):
            output = self.model(**inputs, use_cache=self.use_cache, **extra)
            if train and output.loss is not None:
                output.loss.backward()
        logits = output.logits
        reply = {
            "loss": None if output.loss is None else float(output.loss.detach().float()),
            "num_items": None if labels is None else int((labels[..., 1:] != -100).sum()),
            "outputs": [{"name": "logits", "shape": list(logits.shape)}],
        }
        wanted = requested(metadata)
        if wanted:
            values = {}
            for name in wanted:
                if name == "token_losses":
                    if labels is None:
                        raise ValueError("token_losses need labels in the batch")
                    values[name] = self._token_losses(logits.detach(), labels)
                    reply["outputs"].append({"name": name, "shape": list(labels.shape)})
                elif name == "logits":
                    values[name] = logits.detach().float().flatten().tolist()
                else:
                    raise ValueError(f"unknown output {name!r}; this worker returns token_losses and logits")
            reply["values"] = values
        return reply

    def _token_losses(self, logits, labels):
        """Per position t the loss of predicting labels[t + 1] (0 where ignored or at the end)."""
        torch = self.torch
        batch, length, vocab = logits.shape
        losses = torch.nn.functional.cross_entropy(
            logits[:, :-1].float().reshape(-1, vocab), labels[:, 1:].reshape(-1), ignore_index=-100, reduction="none")
        losses = torch.cat([losses.view(batch, length - 1), losses.new_zeros(batch, 1)], dim=1)
        return losses.flatten().tolist()

    def forward(self, tensors, metadata):
        return self._run(tensors, metadata, train=False)

    def accumulate(self, tensors, metadata):
        return self._run(tensors, metadata, train=True)

    def step(self, learning_rate):
        if self.optimizer is None:
            decay = {} if self.weight_decay is None else {"weight_decay": self.weight_decay}
            optimizer = self.torch.optim.SGD if self.optimizer_name == "sgd" else self.torch.optim.AdamW
            self.optimizer = optimizer(self.model.parameters(), lr=learning_rate, **decay)
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.steps += 1
        return self.steps


VARLEN = "varlen"


def packed_rows_without_mask(inputs, attn):
    """Keeps packed sequences apart under mask-based attention when the batch also has an
    attention_mask. transformers (5.x masking_utils) tells packed sequences apart by position_ids
    only when no attention_mask is given (flash attention likewise unpads by the mask and ignores
    position_ids), so a packed row with a mask would attend across its sequences. An all-ones mask
    says nothing, so it is dropped; a packed row that is also padded is refused. position_ids that
    jump between real tokens to anything but the next position or 0 are refused too.
    """
    positions, mask = inputs.get("position_ids"), inputs.get("attention_mask")
    if positions is not None and positions.dim() == 2 and positions.shape[1] > 1:
        # transformers' mask functions start a sequence wherever a position is not its
        # predecessor + 1; the worker's labels only where it is 0. Between real tokens the two
        # must agree, or a target would be predicted from another sequence.
        real = (mask[:, 1:] != 0) & (mask[:, :-1] != 0) if mask is not None and mask.shape == positions.shape else True
        jumps = (positions[:, 1:] != 0) & (positions[:, 1:] != positions[:, :-1] + 1) & real
        if bool(jumps.any()):
            row, column = (int(index) for index in jumps.nonzero()[0])
            raise ValueError(f"position_ids row {row} column {column + 1} is {int(positions[row, column + 1])} after "
                             f"{int(positions[row, column])}: a position either continues the previous one by 1 or "
                             f"restarts a packed sequence at 0 (transformers would start a sequence there, the labels "
                             f"would not); fix the collator's position_ids")
    if positions is None or mask is None or positions.dim() != 2 or positions.shape != mask.shape:
        return
    # A real token at position 0 right after another real token: a packed sequence starts there.
    restarts = (positions[:, 1:] == 0) & (mask[:, 1:] != 0) & (mask[:, :-1] != 0)
    if not bool(restarts.any()):
        return
    if bool((mask != 0).all()):
        del inputs["attention_mask"]
        return
    raise ValueError(f"this batch packs several sequences into a row (position_ids restart at 0) and pads it (its "
                     f"attention_mask has zeros); with an attention_mask, transformers' {attn} attention ignores "
                     f"position_ids and would let the packed sequences attend to each other: send padding-free rows "
                     f"without attention_mask (the flattening collator), or pad rows that hold one sequence each")


def varlen_bounds(torch, inputs):
    """Gives a batch for --attn varlen its sequence bounds as cu_seq_lens_q/k and max_length_q/k,
    checked, and position_ids restarting at 0 in each sequence when the batch has none.

    The bounds are offsets into the batch's rows laid end to end (B x T tokens). They come from
    cu_seq_lens_q, else from position_ids (a sequence starts at column 0 and wherever a position is
    0; every other position continues its predecessor by 1), else each row is one sequence. Bounds
    that would mix sequences or leave tokens out are refused, never repaired: cu_seq_lens_q must run
    from 0 to B x T without decreasing and split at every row end, cu_seq_lens_k must equal it,
    position_ids must agree with it, and max_length_q/k may not be below the longest sequence (the
    CUDA kernel would skip the tokens past it) nor above the batch's token count. A padded batch
    (an attention_mask with zeros) is refused too: varlen attention builds no mask, so padding would
    be attended to (left padding) or silently computed; pad with --attn sdpa, or send padding-free
    batches.
    """
    input_ids = inputs["input_ids"]
    if input_ids.dim() != 2:
        raise ValueError(f"--attn varlen takes input_ids of shape [rows, tokens]; got shape {list(input_ids.shape)}")
    rows, length = input_ids.shape
    total = rows * length
    mask = inputs.pop("attention_mask", None)
    if mask is not None and not bool((mask != 0).all()):
        raise ValueError("--attn varlen takes padding-free batches (the flattening collator, or packing with "
                         "padding_free); this batch is padded (its attention_mask has zeros): use --attn sdpa for padded batches")
    positions = inputs.get("position_ids")
    from_positions = None
    if positions is not None:
        if list(positions.shape) != [rows, length]:
            raise ValueError(f"position_ids have shape {list(positions.shape)}, input_ids {[rows, length]}; "
                             f"the collator must give one position per token")
        previous, current = positions[:, :-1], positions[:, 1:]
        broken = (current != 0) & (current != previous + 1)
        if bool(broken.any()):
            row, column = (int(index) for index in torch.nonzero(broken)[0])
            raise ValueError(f"position_ids row {row} column {column + 1} is {int(current[row, column])} after "
                             f"{int(previous[row, column])}: under --attn varlen a position either continues the "
                             f"previous one by 1 or restarts a packed sequence at 0 (fix the collator's position_ids)")
        starts = positions == 0
        starts[:, 0] = True
        from_positions = torch.nonzero(starts.flatten()).flatten().tolist() + [total]
    given = inputs.get("cu_seq_lens_q")
    if given is not None:
        bounds = [int(edge) for edge in given.flatten().tolist()]
        if given.dim() != 1 or len(bounds) < 2 or bounds[0] != 0 or bounds[-1] != total or \
                any(end < begin for begin, end in zip(bounds[:-1], bounds[1:])):
            raise ValueError(f"cu_seq_lens_q {bounds[:12]}{' ...' if len(bounds) > 12 else ''} are not the sequence "
                             f"bounds of this batch ({rows} x {length} tokens): they must run from 0 to {total} without "
                             f"decreasing, one offset per packed sequence start and the total at the end")
        missing = sorted(set(range(length, total, length)) - set(bounds))
        if missing:
            raise ValueError(f"cu_seq_lens_q {bounds[:12]}{' ...' if len(bounds) > 12 else ''} let a sequence run "
                             f"across the end of a row (no bound at {missing[0]}, the end of row {missing[0] // length - 1}); "
                             f"a packed sequence must stay in one row")
        other = inputs.get("cu_seq_lens_k")
        if other is not None and [int(edge) for edge in other.flatten().tolist()] != bounds:
            raise ValueError("cu_seq_lens_k differ from cu_seq_lens_q; a packed sequence attends to itself, so "
                             "they must be equal (or send cu_seq_lens_q alone)")
        distinct = sorted(set(bounds))
        if from_positions is not None and distinct != from_positions:
            raise ValueError(f"cu_seq_lens_q {bounds[:12]} and position_ids (sequences starting at "
                             f"{from_positions[:-1][:12]}) disagree about where packed sequences start; send one of "
                             f"them, or fix the collator")
    else:
        bounds = from_positions if from_positions is not None else list(range(0, total + 1, length))
    # Empty sequences (a repeated bound) hold no tokens; the kernel gets each bound once.
    bounds = sorted(set(bounds))
    longest = max(end - begin for begin, end in zip(bounds[:-1], bounds[1:]))
    for name in ("max_length_q", "max_length_k"):
        if name in inputs and int(inputs[name]) < longest:
            raise ValueError(f"{name} is {int(inputs[name])} but the batch's longest packed sequence has {longest} "
                             f"tokens (from its cu_seq_lens_q / position_ids); the attention kernel would skip the "
                             f"tokens past {name}: fix the collator's {name}, or leave it out")
        if name in inputs and int(inputs[name]) > total:
            raise ValueError(f"{name} is {int(inputs[name])}, more than the batch's {total} tokens; the attention kernel "
                             f"sizes its work by it: fix the collator's {name}, or leave it out")
    edges = torch.tensor(bounds, dtype=torch.int32, device=input_ids.device)
    inputs["cu_seq_lens_q"] = inputs["cu_seq_lens_k"] = edges
    inputs.setdefault("max_length_q", longest)
    inputs.setdefault("max_length_k", inputs["max_length_q"])
    if positions is None:
        # Each sequence's own positions, as it has alone (models with absolute position
        # embeddings would otherwise see one sequence continuing another's positions).
        flat = torch.arange(total, device=input_ids.device)
        lengths = torch.tensor([end - begin for begin, end in zip(bounds[:-1], bounds[1:])], device=input_ids.device)
        offsets = torch.repeat_interleave(torch.tensor(bounds[:-1], device=input_ids.device), lengths)
        inputs["position_ids"] = (flat - offsets).view(rows, length)
    return bounds


def mask_packed_starts(torch, labels, bounds):
    """labels with the ignore index at every sequence start of bounds (offsets into the rows laid
    end to end): the token before a start belongs to another sequence (or row), so predicting the
    start is not a target. Column 0 is never a target anyway."""
    if labels is None or labels.dim() != 2:
        return labels
    total = labels.numel()
    starts = [edge for edge in bounds if 0 < edge < total]
    if not starts:
        return labels
    flat = labels.flatten().clone()
    flat[torch.tensor(starts, device=labels.device)] = -100
    return flat.view(labels.shape)


def register_varlen_attention(torch, device):
    """Registers attn_implementation "varlen" with transformers and returns the kernel it uses.

    transformers builds no attention mask for an implementation it has no mask function for, and
    hands the model's keyword arguments (cu_seq_lens_q/k, max_length_q/k) to the attention function.
    On CUDA with torch.nn.attention.varlen (PyTorch >= 2.10) a half-precision batch runs in one
    FlashAttention-style varlen kernel call; elsewhere (CPU, float32, older PyTorch) one causal
    scaled_dot_product_attention per sequence gives the same numbers more slowly.
    """
    import inspect
    from transformers import AttentionInterface

    kernel = None
    if str(device).startswith("cuda"):
        try:
            from torch.nn.attention.varlen import varlen_attn as kernel
        except ImportError:
            kernel = None
    parameters = inspect.signature(kernel).parameters if kernel is not None else {}
    # PyTorch 2.10 spells causality is_causal=True; later versions window_size=(-1, 0).
    causal = {"window_size": (-1, 0)} if "window_size" in parameters else {"is_causal": True}
    native_gqa = "enable_gqa" in parameters

    def attention(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
        bounds_q, bounds_k = kwargs.get("cu_seq_lens_q"), kwargs.get("cu_seq_lens_k")
        if bounds_q is None:
            raise ValueError("--attn varlen needs the batch's sequence bounds (cu_seq_lens_q or position_ids)")
        bounds_k = bounds_q if bounds_k is None else bounds_k
        rows, heads, length, width = query.shape
        unsupported(kwargs, dropout, bounds_q)
        kv_heads = key.shape[1]
        # [B, H, T, D] -> [B*T, H, D]: the varlen layout, every row's tokens one after another.
        q = query.transpose(1, 2).reshape(rows * length, heads, width)
        k = key.transpose(1, 2).reshape(rows * length, kv_heads, width)
        v = value.transpose(1, 2).reshape(rows * length, kv_heads, width)
        if kernel is not None and query.dtype in (torch.float16, torch.bfloat16):
            extra = dict(causal)
            if "scale" in parameters:
                extra["scale"] = scaling
            if kv_heads != heads:
                if native_gqa:
                    extra["enable_gqa"] = True
                else:
                    k = k.repeat_interleave(heads // kv_heads, dim=1)
                    v = v.repeat_interleave(heads // kv_heads, dim=1)
            out = kernel(q, k, v, bounds_q.to(torch.int32), bounds_k.to(torch.int32),
                         int(kwargs.get("max_length_q")), int(kwargs.get("max_length_k", kwargs.get("max_length_q"))),
                         **extra)
        else:
            pieces = []
            edges = [int(edge) for edge in bounds_q.tolist()]
            for begin, end in zip(edges[:-1], edges[1:]):
                if end <= begin:
                    continue
                piece = torch.nn.functional.scaled_dot_product_attention(
                    q[begin:end].transpose(0, 1), k[begin:end].transpose(0, 1), v[begin:end].transpose(0, 1),
                    is_causal=True, scale=scaling, enable_gqa=kv_heads != heads)
                pieces.append(piece.transpose(0, 1))
            out = torch.cat(pieces, dim=0)
        return out.reshape(rows, length, heads, width), None

    def unsupported(kwargs, dropout, bounds):
        """Refuses what this attention does not compute, instead of silently computing plain causal
        attention: logit soft-capping (Gemma 2), attention sinks (gpt-oss), a sliding window
        shorter than a sequence (Mistral, Qwen2 with use_sliding_window), attention dropout."""
        for name in ("softcap", "s_aux"):
            if kwargs.get(name) is not None:
                raise ValueError(f"--attn varlen does not implement {name} (this model's attention uses it); "
                                 f"use --attn sdpa or eager")
        window = kwargs.get("sliding_window")
        longest = int((bounds[1:] - bounds[:-1]).max()) if window is not None else 0
        if window is not None and longest > int(window):
            raise ValueError(f"--attn varlen computes full causal attention, but this model's layers attend over a "
                             f"sliding window of {window} tokens and a packed sequence has {longest}; use --attn sdpa "
                             f"(or shorter sequences)")
        if dropout:
            raise ValueError(f"--attn varlen does not implement attention dropout (this model trains with attention "
                             f"dropout {dropout}); set it to 0 in the config (attention_dropout, or attn_pdrop for GPT-2), "
                             f"or use --attn sdpa")

    AttentionInterface.register(VARLEN, attention)
    return "torch.nn.attention.varlen.varlen_attn" if kernel is not None else "scaled_dot_product_attention per sequence"


# The built-in tiny Llama (--tiny-llama): a few hundred thousand parameters besides the
# embeddings, so CPU runs of a handful of steps take seconds.
TINY_LLAMA = {
    "model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 32000, "max_position_embeddings": 4096,
    "tie_word_embeddings": True,
}


# Keys that size a model in transformers configs (Llama/Mistral/Qwen, GPT-2, T5-style names).
SIZE_KEYS = ("hidden_size", "num_hidden_layers", "intermediate_size", "num_attention_heads", "n_embd", "n_layer",
             "d_model", "num_layers", "text_config")


def model_settings(args):
    """The config dict for random initialisation: --config (JSON text or a file) or the built-in
    tiny Llama, with --vocab-size overriding vocab_size."""
    if args.tiny_llama:
        settings = dict(TINY_LLAMA)
    else:
        text = args.config
        if os.path.exists(text):
            with open(text) as handle:
                text = handle.read()
        settings = json.loads(text)
        if not isinstance(settings, dict):
            raise ValueError(f"--config must be a JSON object of config keys, got {type(settings).__name__}")
        if "model_type" in settings and not isinstance(settings["model_type"], str):
            raise ValueError(f"--config: model_type must be a string such as \"llama\", got {settings['model_type']!r}")
        if "data" in settings or "collator" in settings:
            raise ValueError("this is a Collate pipeline file, not a model config; give the model's config.json "
                             "(or JSON such as {\"hidden_size\": 64, \"num_hidden_layers\": 2}), and the pipeline to collate train --config")
        if not any(key in settings for key in SIZE_KEYS):
            # transformers fills every missing key with the model type's full-size default (a
            # 6.7 B-parameter Llama), which a config meant to be small never wants.
            raise ValueError(f"it sets none of {', '.join(SIZE_KEYS[:4])}, ..., so transformers would build the model type's "
                             f"full default size (Llama: 6.7 B parameters); give the sizes, e.g. "
                             f"{{\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4}}")
    if args.vocab_size is not None:
        settings["vocab_size"] = args.vocab_size
    return settings


EXIT_MISSING_REQUIREMENTS = 3
REQUIREMENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requirements.txt")


def missing_requirements(modules=("torch", "transformers")):
    """One line naming the first module that cannot be imported and the command that installs
    the worker's requirements (requirements.txt beside this file), or None when all import."""
    for name in modules:
        try:
            __import__(name)
        except Exception as error:  # ImportError, or a broken install failing while it loads
            reason = f"{type(error).__name__}: {error}".replace("\n", " ")
            return (f"collate_worker: cannot import {name} ({reason}) with {sys.executable}; install the worker's "
                    f"requirements: {sys.executable} -m pip install -r {REQUIREMENTS}")
    return None


def check_model_source(args, parser):
    """Refuses, before torch is imported, a --model that is not a model folder and a --config
    that is neither a JSON object nor a file holding one: one line naming the value and the fix
    (argparse's exit status 2), not a traceback from transformers."""
    if args.model:
        if not os.path.isdir(args.model):
            parser.error(f"--model {args.model}: no such folder; give a model folder as save_pretrained writes it "
                         f"(config.json and the weights), or --config / --tiny-llama for a random initialisation")
        if not os.path.isfile(os.path.join(args.model, "config.json")):
            parser.error(f"--model {args.model}: not a model folder (it has no config.json); give the folder "
                         f"save_pretrained wrote, or a downloaded model's snapshot folder")
    if args.config is not None:
        is_file = os.path.exists(args.config)
        where = f"--config {args.config}" if is_file else f"--config '{args.config[:80]}'"
        try:
            model_settings(args)
        except OSError as error:
            parser.error(f"{where}: cannot read it ({error.strerror or error}); give a config.json path or the JSON text")
        except json.JSONDecodeError as error:
            hint = ("the file is not JSON" if is_file else
                    "it is neither an existing file nor JSON text (check the path)")
            parser.error(f"{where}: {hint} (line {error.lineno} column {error.colno}: {error.msg}); "
                         f"give a config.json path or a JSON object such as '{{\"model_type\": \"llama\", \"hidden_size\": 64}}'")
        except ValueError as error:
            parser.error(f"{where}: {error}")


def main(argv=None):
    import argparse

    replies = claim_stdout()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a local model directory (from_pretrained, local files only)")
    source.add_argument("--config", help="a model config as JSON text or a path, for random initialisation")
    source.add_argument("--tiny-llama", action="store_true",
                        help="random-init built-in tiny Llama (hidden 64, 2 layers, vocab 32000 unless --vocab-size)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--attn", default="sdpa", help="attn_implementation: sdpa, eager, flex_attention, flash_attention_2, or varlen "
                             "(per-sequence attention for padding-free batches without flash-attn; see above)")
    parser.add_argument("--use-cache", default="false", choices=["false", "true"],
                        help="use_cache passed to every forward; true leaks across packed sequences (Guides/Backends.md, 'Boundary probe')")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vocab-size", type=int, help="vocab_size of a --config or --tiny-llama model")
    parser.add_argument("--optimizer", default="adamw", choices=["adamw", "sgd"],
                        help="the optimizer of step requests (AdamW, or plain SGD); the host sends the learning rate")
    parser.add_argument("--weight-decay", type=float, help="the optimizer's weight decay (default: torch's, 0.01 for AdamW, 0 for SGD)")
    args = parser.parse_args(argv)
    if args.model and args.vocab_size is not None:
        parser.error("--vocab-size applies to --config and --tiny-llama; a --model folder has its own vocabulary")
    if args.vocab_size is not None and args.vocab_size < 2:
        parser.error(f"--vocab-size must be at least 2, got {args.vocab_size}")
    check_model_source(args, parser)
    problem = missing_requirements()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_MISSING_REQUIREMENTS
    try:
        model = TorchCausalLM(args)
    except Exception as error:  # transformers' errors for a model it cannot build or load
        traceback.print_exc(file=sys.stderr)
        source = f"--model {args.model}" if args.model else ("--tiny-llama" if args.tiny_llama else "--config")
        reason = f"{type(error).__name__}: {error}".replace("\n", " ")
        # The last line is what the host quotes.
        print(f"collate_worker: cannot build the model from {source}: {reason}", file=sys.stderr)
        return 1
    return serve(model, replies)


if __name__ == "__main__":
    sys.exit(main())
