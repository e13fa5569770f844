#!/usr/bin/env python3
"""Baseline for Benchmarks/ChatTemplateBench: transformers' apply_chat_template(tokenize=False) on the
same templates and conversations (Tests/Fixtures/chat-templates/goldens.jsonl).

Each conversation goes through a real tokenizer's `apply_chat_template(messages, tools=..., chat_template=...,
tokenize=False, add_generation_prompt=..., **template_variables)`: the tokenizer is the repository's
Tests/Fixtures/tokenizers/mistral-v1 (its own special tokens are overridden by the template's, as the goldens
pass them). The compiled template is cached by transformers after the first call, which is made untimed. Every
rendered text is checked against goldens.jsonl first, so both sides render the same thing.

    python Benchmarks/chat_template_hf.py [CHAT_TEMPLATES_DIR] [ROUNDS]

Prints one JSON line per template and a total line, in the format of ChatTemplateBench (process CPU seconds).
"""
import json
import os
import sys
import time

import transformers
from transformers import PreTrainedTokenizerFast

folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/chat-templates"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20

conversations, specials, order, cases = {}, {}, [], {}
with open(os.path.join(folder, "goldens.jsonl"), encoding="utf-8") as lines:
    for line in lines:
        record = json.loads(line)
        if record["kind"] == "conversation":
            conversations[record["id"]] = record
        elif record["kind"] == "template":
            specials[record["name"]] = record["special_tokens"]
            order.append(record["name"])
        elif record["kind"] == "case" and "text" in record:
            cases.setdefault(record["template"], []).append(record["conversation"])


repository = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
tokenizer = PreTrainedTokenizerFast(
    tokenizer_file=os.path.join(repository, "Tests", "Fixtures", "tokenizers", "mistral-v1", "tokenizer.json"))
expected = {}
with open(os.path.join(folder, "goldens.jsonl"), encoding="utf-8") as lines:
    for line in lines:
        record = json.loads(line)
        if record["kind"] == "case" and "text" in record:
            expected[(record["template"], record["conversation"])] = record["text"]


def apply(template, conversation, special):
    kwargs = {**special, **{k: v for k, v in conversation["kwargs"].items() if k != "add_generation_prompt"}}
    return tokenizer.apply_chat_template(
        conversation["messages"], tools=conversation["tools"], chat_template=template, tokenize=False,
        add_generation_prompt=conversation["kwargs"].get("add_generation_prompt", False), **kwargs)


total_count, total_seconds = 0, 0.0
for name in order:
    with open(os.path.join(folder, "templates", name + ".jinja"), encoding="utf-8") as handle:
        template = handle.read()
    selected = [conversations[c] for c in cases.get(name, [])]
    special = specials[name]
    for conversation in selected:  # untimed: compiles (cached by transformers) and checks the text
        if "strftime_now" not in template:  # the goldens pin the date; this run uses today's
            assert apply(template, conversation, special) == expected[(name, conversation["id"])], (name, conversation["id"])
    start = time.process_time()
    for _ in range(rounds):
        for conversation in selected:
            apply(template, conversation, special)
    elapsed = time.process_time() - start
    count = len(selected) * rounds
    total_count += count
    total_seconds += elapsed
    print(json.dumps({"template": name, "conversations": count, "seconds": elapsed,
                      "conversations_per_second": count / elapsed if elapsed else 0.0}))
print(json.dumps({"template": "ALL", "conversations": total_count, "seconds": total_seconds,
                  "conversations_per_second": total_count / total_seconds,
                  "transformers": transformers.__version__}))
