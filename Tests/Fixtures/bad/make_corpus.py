#!/usr/bin/env python3
"""Writes the malformed-input corpus under Tests/Fixtures/bad (the input files only).

The expected outcome of every file lives in manifest.json, maintained by hand and checked by
Tests/CollateReliabilityTests/BadInputCorpusTests.swift. Files are written as bytes so BOMs,
CRLF, truncation and non-UTF-8 survive exactly. The 100 MB line is not here: the test
generates it in a temporary directory.
"""
import json, os

ROOT = os.path.dirname(os.path.abspath(__file__))

def put(path, data):
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))

OK = '{"input_ids": [1, 2, 3], "labels": [-100, 2, 3]}\n'

# Support files the cases run with.
put("support/lm-spec.json", '{"type": "language-modeling", "pad_token_id": 0}\n')
put("support/examples.jsonl", OK)
put("support/texts.jsonl", '{"text": "Hello world"}\n')
put("support/conversation.jsonl", '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n')

# JSONL examples (pre-tokenized).
J = {
    "invalid-json": '{"input_ids": [1, 2}\n',
    "trailing-comma": '{"input_ids": [1, 2],}\n',
    "single-quotes": "{'input_ids': [1]}\n",
    "not-an-object": "[1, 2, 3]\n",
    "bare-number": "42\n",
    "string-id": '{"input_ids": [1, "2"]}\n',
    "float-id": '{"input_ids": [1, 2.0]}\n',
    "exponent-id": '{"input_ids": [1e3]}\n',
    "bool-id": '{"input_ids": [true]}\n',
    "null-element": OK + '{"input_ids": [1, null]}\n',
    "null-field": '{"input_ids": null}\n',
    "nested-ids": '{"input_ids": [[1, 2], [3]]}\n',
    "object-field": '{"input_ids": {"0": 1}}\n',
    "string-field": '{"input_ids": [1], "text": "hello"}\n',
    "id-above-int32": '{"input_ids": [1, 2147483648]}\n',
    "id-below-int32": '{"input_ids": [-2147483649]}\n',
    "huge-integer-id": '{"input_ids": [99999999999999999999]}\n',
    "scalar-above-int32": '{"input_ids": [1], "idx": 4294967296}\n',
    "float-scalar": '{"input_ids": [1], "idx": [1.5]}\n',
    "nan": '{"input_ids": [NaN]}\n',
    "leading-zero": '{"input_ids": [01]}\n',
    "two-objects-one-line": '{"input_ids": [1]} {"input_ids": [2]}\n',
    "truncated-last-line": OK + '{"input_ids": [2, 3',
    "truncated-in-key": OK + OK + '{"input_ids": [1], "lab',
    "control-char-in-key": '{"input_ids": [1], "a\tb": [1]}\n',
    "lone-surrogate": '{"input_ids": [1], "\\ud800": [1]}\n',
    "bad-escape": '{"input_ids": [1], "\\x41": [1]}\n',
    "deep-nesting": '{"input_ids": ' + "[" * 600 + "]" * 600 + "}\n",
    "nesting-inside-ids": '{"input_ids": [' + "[" * 100 + "]" * 100 + "]}\n",
    "empty-ids": '{"input_ids": []}\n',
    "empty-file": "",
    "only-blank-lines": "\n  \n\t\n\r\n",
    # A repeated key is an error naming the key (Python's json would silently keep the last).
    "duplicate-key": '{"input_ids": [1], "input_ids": [2, 3]}\n',
    "duplicate-key-line-3": OK + OK + '{"input_ids": [1, 2], "labels": [-100, 2], "labels": [1, 2]}\n',
    # Lenient on purpose (JSONLinesReader): blank lines skipped but counted, BOM and CR dropped,
    # a last line without newline is read.
    "blank-lines": "\n" + OK + "\n   \n" + '{"input_ids": [4]}\n',
    "bom": "\ufeff" + OK,
    "crlf": OK.replace("\n", "\r\n") + '{"input_ids": [4]}\r\n',
    "no-final-newline": OK + '{"input_ids": [4]}',
}
for name, text in J.items():
    put(f"jsonl/{name}.jsonl", text)
put("jsonl/bom-on-line-2.jsonl", OK.encode() + b"\xef\xbb\xbf" + OK.encode())
put("jsonl/latin1-key.jsonl", b'{"input_ids": [1], "caf\xe9": [2]}\n')
put("jsonl/invalid-utf8-outside-string.jsonl", b'\xff{"input_ids": [1]}\n')
put("jsonl/nul-byte.jsonl", b'{"input_ids": [1\x00]}\n')
put("jsonl/utf16.jsonl", OK.encode("utf-16-le"))

# Collator specs.
S = {
    "invalid-json": '{"type": "padding",',
    "array": "[]",
    "missing-type": '{"pad_token_id": 0}',
    "type-not-string": '{"type": 3}',
    "unknown-type": '{"type": "languag-modeling", "pad_token_id": 0}',
    "unknown-key": '{"type": "padding", "pad_token": 0}',
    "pad-id-string": '{"type": "padding", "pad_token_id": "0"}',
    "pad-id-float": '{"type": "padding", "pad_token_id": 0.0}',
    "pad-id-above-int32": '{"type": "padding", "pad_token_id": 4294967296}',
    "pad-id-null": '{"type": "padding", "pad_token_id": null}',
    "padding-side": '{"type": "padding", "pad_token_id": 0, "padding_side": "center"}',
    "max-length-missing": '{"type": "padding", "pad_token_id": 0, "padding": "max_length"}',
    "max-length-zero": '{"type": "padding", "pad_token_id": 0, "padding": "max_length", "max_length": 0}',
    "pad-multiple-huge": '{"type": "language-modeling", "pad_token_id": 0, "pad_to_multiple_of": 2000000000}',
    "padding-number": '{"type": "seq2seq", "pad_token_id": 0, "padding": 1}',
    "completion-empty-template": '{"type": "completion-only", "pad_token_id": 0, "response_template_ids": []}',
    "completion-float-template": '{"type": "completion-only", "pad_token_id": 0, "response_template_ids": [7, 2.5]}',
    "completion-no-template": '{"type": "completion-only", "pad_token_id": 0}',
    "mlm-probability-above-1": '{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 10, "mlm_probability": 1.5}',
    "mlm-probabilities-sum": '{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 10, "mask_replace_prob": 0.9, "random_replace_prob": 0.2}',
    "mlm-zero-probability-no-vocab": '{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "mlm_probability": 0}',
    "mlm-infinite-probability": '{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 10, "mlm_probability": 1e400}',
    "mlm-seed-string": '{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 10, "seed": "42"}',
    "preference-layout": '{"type": "preference", "pad_token_id": 0, "layout": "dpo"}',
    "flattening-int-flag": '{"type": "flattening", "return_position_ids": 1}',
    "deep-nesting": '{"type": "padding", "pad_token_id": ' + "[" * 600 + "]" * 600 + "}",
}
# A repeated key on line 4 of a spec written over several lines.
S["duplicate-key"] = '{\n  "type": "language-modeling",\n  "pad_token_id": 0,\n  "pad_token_id": 2\n}'
for name, text in S.items():
    put(f"specs/{name}.json", text + "\n")
put("specs/latin1.json", b'{"type": "padding", "pad_token_id": 0, "padding_side": "r\xe9ght"}\n')
put("specs/bom.json", b'\xef\xbb\xbf{"type": "language-modeling", "pad_token_id": 0}\n')

# tokenizer.json files.
MODEL = '"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]}'
T = {
    "not-json": '{"model": ',
    "empty": "",
    "root-array": "[1, 2]",
    "no-model": '{"normalizer": null}',
    "vocab-id-string": '{"model": {"type": "BPE", "vocab": {"a": "0"}, "merges": []}}',
    "vocab-id-float": '{"model": {"type": "BPE", "vocab": {"a": 1.5}, "merges": []}}',
    "vocab-id-negative": '{"model": {"type": "BPE", "vocab": {"a": -1}, "merges": []}}',
    "vocab-id-huge": '{"model": {"type": "BPE", "vocab": {"a": 2000000000}, "merges": []}}',
    "merge-unknown-token": '{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a c"]}}',
    "merge-wrong-type": '{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b", "c"]]}}',
    "unsupported-model": '{"model": {"type": "CharLevel", "vocab": {}}}',
    "invalid-regex": '{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(\\\\p{L}+"}, "behavior": "Isolated", "invert": false}, ' + MODEL + "}",
    "truncation-set": '{"truncation": {"max_length": 512, "strategy": "Random"}, ' + MODEL + "}",
    "added-token-id-negative": '{"added_tokens": [{"id": -5, "content": "<x>"}], ' + MODEL + "}",
    "added-token-id-above-int32": '{"added_tokens": [{"id": 4294967296, "content": "<x>"}], ' + MODEL + "}",
    "added-token-content-number": '{"added_tokens": [{"id": 3, "content": 7}], ' + MODEL + "}",
    # Found by Tests/Fuzz tokenizer: a post-processor special-token id beyond Int32 trapped.
    "post-processor-id-huge": '{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [177777777777], "tokens": ["<s>"]}}}, ' + MODEL + "}",
    "deep-nesting": '{"model": ' + "[" * 10000 + "]" * 10000 + "}",
}
for name, text in T.items():
    put(f"tokenizers/{name}.json", text)
put("tokenizers/bad-config/tokenizer.json", "{" + MODEL + "}")
put("tokenizers/bad-config/tokenizer_config.json", '{"eos_token": 2}')

# Chat conversations ({"messages": [...]}).
def conv(*messages):
    return json.dumps({"messages": list(messages)})
U, A = {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}
C = {
    "unknown-role": conv(U, {"role": "critic", "content": "No"}),
    "content-number": conv(U, {"role": "assistant", "content": 5}),
    "content-null": conv(U, {"role": "assistant", "content": None}),
    "content-parts": conv({"role": "user", "content": [{"type": "text", "text": "Hi"}]}, A),
    "role-missing": conv(U, {"content": "Hello"}),
    "role-number": conv({"role": 1, "content": "Hi"}),
    "messages-not-array": json.dumps({"messages": {"role": "user", "content": "Hi"}}),
    "message-not-object": conv(U, "Hello"),
    "no-messages-key": json.dumps({"conversation": [U, A]}),
    "invalid-json-line-2": conv(U, A) + "\n" + '{"messages": [{"role": "user", "content": "Hi"}',
    "system-in-mistral-inst": conv({"role": "system", "content": "Be brief."}, U, A),
    "gemma-not-alternating": conv(U, U, A),
    "empty-messages": json.dumps({"messages": []}),
}
C["duplicate-key"] = conv(U, A) + "\n" + '{"messages": [{"role": "user", "content": "Hi", "content": "Hello"}]}'
for name, text in C.items():
    put(f"chat/{name}.jsonl", text + "\n")
put("chat/bom-crlf.jsonl", b"\xef\xbb\xbf" + (conv(U, A) + "\r\n\r\n" + conv(U, A) + "\r\n").encode())
put("chat/latin1-content.jsonl", b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n')

# Text, prompt-completion and Alpaca datasets.
D = {
    "text-not-string": '{"text": 5}',
    "text-null": '{"text": null}',
    "prompt-completion-missing-completion": '{"prompt": "2 + 2 =", "completion": " 4"}\n{"prompt": "3 + 3 ="}',
    "alpaca-output-number": '{"instruction": "Add", "input": "2 + 2", "output": 4}',
    "undetectable-format": '{"question": "?", "answer": "!"}',
    "format-changes-midway": '{"text": "Hello"}\n{"input_ids": [1, 2]}',
}
for name, text in D.items():
    put(f"datasets/{name}.jsonl", text + "\n")

# collate tokenize inputs.
put("tokenize/crlf.jsonl", b'{"text": "ab"}\r\n{"text": "cd"}\r\n')
put("tokenize/latin1.jsonl", b'{"text": "ab"}\n{"text": "caf\xe9"}\n')
put("tokenize/text-number.jsonl", b'{"text": 5}\n')
put("tokenize/add-special-string.jsonl", b'{"text": "a", "add_special_tokens": "yes"}\n')

# Found by an outside attack (issue 19): each was a crash, a hang, unbounded memory or a
# silently wrong result before its fix.
put("support/examples-64.jsonl", OK * 64)
# 64 rows padded to a multiple of 2^24 tokens: 2^30 values per tensor (4 GB of int32).
put("specs/batch-too-large.json", '{"type": "language-modeling", "pad_token_id": 0, "pad_to_multiple_of": 16777216}\n')
# tokenize printed the results of lines 1 and 2 before rejecting line 3; every command now
# checks its whole input first and prints nothing on stdout when it rejects it.
put("tokenize/bad-line-3.jsonl", b'{"text": "a"}\n{"text": "b"}\n{"text": 5}\n')
# A folder where a file is expected: named with its cause, never a raw error code.
DIRECTORY_NOTE = "This folder stands where a file is expected (a bad-input case in manifest.json).\n"
put("jsonl/directory.jsonl/README", DIRECTORY_NOTE)
put("specs/directory.json/README", DIRECTORY_NOTE)
# A split pattern nesting unbounded repetition: ICU backtracks exponentially on "aaaa…ab"
# and `collate tokenize` hung; refused at load, naming the JSON path.
put("tokenizers/catastrophic-regex.json", '{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a+)+$"}, "behavior": "Isolated", "invert": false}, ' + MODEL + "}")
put("support/aaab.jsonl", json.dumps({"text": "a" * 40 + "b"}) + "\n")
# batch printed batch 1 before rejecting batch 2 (a collation error): nothing is printed now.
put("jsonl/collation-error-in-batch-2.jsonl", '{"input_ids": [1], "token_type_ids": [0]}\n{"input_ids": [2], "token_type_ids": [0, 0]}\n')
# Overlapping alternatives under a loop backtrack exponentially without nesting a quantifier;
# a timed probe at load refuses it.
put("tokenizers/overlapping-alternatives-regex.json", '{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a|aa)+$"}, "behavior": "Isolated", "invert": false}, ' + MODEL + "}")
put("specs/max-length-batch-too-large.json", '{"type": "padding", "pad_token_id": 0, "padding": "max_length", "max_length": 16777216}\n')

# A pipeline file (--config) that repeats a key: an error naming the key and its line.
put("pipelines/duplicate-key.json", '{\n  "data": {"path": "../support/examples.jsonl"},\n  "collator": {"type": "language-modeling", "pad_token_id": 0},\n  "batch_size": 2,\n  "batch_size": 8\n}\n')
