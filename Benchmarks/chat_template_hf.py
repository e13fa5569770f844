#!/usr/bin/env python3
"""Baseline for Benchmarks/ChatTemplateBench: transformers' apply_chat_template(tokenize=False) on the
same templates and conversations (Tests/Fixtures/chat-templates/goldens.jsonl).

apply_chat_template with tokenize=False drops null-valued message keys and calls
transformers.utils.chat_template_utils.render_jinja_template, whose compile is cached; this script
times exactly that per conversation (no tokenizer is needed, none is loaded).

    python Benchmarks/chat_template_hf.py [CHAT_TEMPLATES_DIR] [ROUNDS]

Prints one JSON line per template and a total line, in the format of ChatTemplateBench.
"""
import json
import os
import sys
import time

import transformers
from transformers.utils.chat_template_utils import render_jinja_template

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


def apply(template, conversation, special):
    messages = [{k: v for k, v in m.items() if v is not None} for m in conversation["messages"]]
    kwargs = {**special, **{k: v for k, v in conversation["kwargs"].items() if k != "add_generation_prompt"}}
    rendered = render_jinja_template(
        conversations=[messages], tools=conversation["tools"], chat_template=template,
        add_generation_prompt=conversation["kwargs"].get("add_generation_prompt", False), **kwargs)
    return rendered[0]


total_count, total_seconds = 0, 0.0
for name in order:
    with open(os.path.join(folder, "templates", name + ".jinja"), encoding="utf-8") as handle:
        template = handle.read()
    selected = [conversations[c] for c in cases.get(name, [])]
    special = specials[name]
    if selected:
        apply(template, selected[0], special)  # compile once, as transformers caches it
    start = time.perf_counter()
    for _ in range(rounds):
        for conversation in selected:
            apply(template, conversation, special)
    elapsed = time.perf_counter() - start
    count = len(selected) * rounds
    total_count += count
    total_seconds += elapsed
    print(json.dumps({"template": name, "conversations": count, "seconds": elapsed,
                      "conversations_per_second": count / elapsed if elapsed else 0.0}))
print(json.dumps({"template": "ALL", "conversations": total_count, "seconds": total_seconds,
                  "conversations_per_second": total_count / total_seconds,
                  "transformers": transformers.__version__}))
