#!/usr/bin/env python3
"""Random differential test: `collate chat` against transformers 5.23's apply_chat_template on every
chat template the fixtures hold (TRL 1.16's, the attack set's, the real set's), through the path a
user takes: a model folder holding the repository's mistral-v1-chatml tokenizer.json and a
tokenizer_config.json with the template and its special tokens.

Conversations are drawn from a seed: systems, several turns, tool calls (argument objects or JSON
strings, parallel calls) with their results, reasoning_content, list-of-parts content, text pieces
that are markers, Jinja syntax, Unicode whitespace, final sigmas, quotes and backslashes, and the
kwargs add_generation_prompt / enable_thinking. transformers renders each (the goldens' renderer:
None-valued keys dropped, `{**special_tokens, **kwargs}`, strftime_now pinned); every conversation
it renders goes to `collate chat` in one input file per template, and the `text` of each output
line must equal it byte for byte. A conversation transformers refuses must make `collate chat` exit
1 (checked one by one, for the first few per template).

usage: COLLATE=.build/debug/collate /tmp/refenv/bin/python fuzz_chat_template_parity.py SEED N
Prints every mismatch and a summary line; exits 1 on a mismatch. Optional tooling: `swift test`
does not run it (the seeded fixture goldens are what the tests check).
"""
import datetime
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_chat_template_attack_goldens as attack  # noqa: E402
import make_chat_template_goldens as trl  # noqa: E402
import make_real_template_goldens as real  # noqa: E402

FIXTURES = os.path.dirname(HERE)
COLLATE = os.environ.get("COLLATE", ".build/debug/collate")
TOKENIZER = os.path.join(FIXTURES, "tokenizers", "mistral-v1-chatml", "tokenizer.json")
PIECES = ["Hi", "", " ", "\n", "Zürich", "東京", "🇨🇭", "a\tb", "<|im_end|>", "</think>", "<think>x</think>y", "  pad  ",
          "'q'", '"dq"', "\\", "{{ x }}", "{% if %}", "line1\nline2", "\u2028", "\u00a0", "ΣΑΣ", "İ", "42", "true", "null"]


def templates():
    """(name, source, special tokens) for every fixture template without generation tags."""
    found = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "chat-templates", "templates", "*.jinja"))):
        base = os.path.basename(path)[:-6]
        if not base.endswith("_training"):
            found.append(("trl_" + base, path, trl.SPECIAL[trl.family(base)]))
    for name, path, special in attack.TEMPLATES:
        if path.startswith("chat-templates-attack/") and path.endswith(".jinja"):
            found.append(("attack_" + name, os.path.join(FIXTURES, path), special))
    for name, special in real.TEMPLATES:
        found.append(("real_" + name, os.path.join(FIXTURES, "chat-templates-real", "templates", name + ".jinja"), special))
    return [(name, open(path, encoding="utf-8").read(), special) for name, path, special in found]


def conversations(rng, count):
    def text():
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))

    def arguments():
        values = {}
        for key in rng.sample(["city", "days", "unit", "terms", "strict", "x"], rng.randint(0, 3)):
            values[key] = rng.choice([text(), rng.randint(-5, 100), round(rng.random() * 10, 3), True, False, None, [text(), 1], {"n": text()}])
        return values

    drawn = []
    for _ in range(count):
        messages = []
        if rng.random() < 0.5:
            messages.append({"role": "system", "content": text()})
        for _ in range(rng.randint(1, 4)):
            messages.append({"role": "user", "content": text() if rng.random() < 0.85 else [{"type": "text", "text": text()}]})
            if rng.random() < 0.3:
                calls = [attack.call(f"call{rng.randint(10**8, 10**9)}", rng.choice(["get_weather", "lookup"]),
                                     arguments() if rng.random() < 0.8 else json.dumps(arguments())) for _ in range(rng.randint(1, 2))]
                message = {"role": "assistant", "content": rng.choice([None, "", text()]), "tool_calls": calls}
                if rng.random() < 0.4:
                    message["reasoning_content"] = text()
                messages.append(message)
                for call in calls:
                    messages.append({"role": "tool", "tool_call_id": call["id"], "name": call["function"]["name"], "content": text()})
            if rng.random() < 0.9:
                message = {"role": "assistant", "content": text()}
                if rng.random() < 0.3:
                    message["reasoning_content"] = text()
                messages.append(message)
        kwargs = {}
        if rng.random() < 0.4:
            kwargs["add_generation_prompt"] = True
        if rng.random() < 0.3:
            kwargs["enable_thinking"] = rng.random() < 0.5
        tools = rng.choice([None, [attack.WEATHER], [attack.WEATHER, attack.LOOKUP, real.PLANNER]])
        drawn.append((messages, tools, kwargs))
    return drawn


def line(messages, tools, kwargs):
    record = {"messages": messages}
    if tools is not None:
        record["tools"] = tools
    record.update(kwargs)
    return json.dumps(record, ensure_ascii=False)


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    drawn = conversations(rng, count)
    attack.pin_strftime_now(datetime.datetime.now)
    root = tempfile.mkdtemp(prefix="collate-chat-fuzz")
    mismatches = rendered_total = refused_total = 0
    try:
        for name, source, special in templates():
            folder = os.path.join(root, name)
            os.makedirs(folder)
            shutil.copy(TOKENIZER, os.path.join(folder, "tokenizer.json"))
            with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as config:
                json.dump({"chat_template": source, **special}, config, ensure_ascii=False)
            accepted, expected, refused = [], [], []
            for messages, tools, kwargs in drawn:
                try:
                    text, _ = attack.render(source, messages, tools, kwargs, special)
                except Exception as error:  # transformers refuses this conversation
                    refused.append((line(messages, tools, kwargs), f"{type(error).__name__}: {error}"))
                    continue
                if "strftime_now" in source:
                    continue  # the date may change between the two renders
                accepted.append(line(messages, tools, kwargs))
                expected.append(text)
            if accepted:
                input_path = os.path.join(folder, "input.jsonl")
                with open(input_path, "w", encoding="utf-8") as out:
                    out.write("\n".join(accepted) + "\n")
                run = subprocess.run([COLLATE, "chat", "--template", folder, "--tokenizer", folder, "--input", input_path],
                                     capture_output=True, text=True, timeout=300)
                outputs = [json.loads(l) for l in run.stdout.split("\n") if l.strip()]  # not splitlines(): U+2028 sits raw in the JSON
                if run.returncode != 0 or len(outputs) != len(expected):
                    mismatches += 1
                    print(f"MISMATCH {name}: collate exit {run.returncode}, {len(outputs)} lines for {len(expected)}: {run.stderr.strip()[:400]}")
                else:
                    for index, (output, want) in enumerate(zip(outputs, expected)):
                        if output.get("text") != want:
                            mismatches += 1
                            print(f"MISMATCH {name} line {index + 1}:\n  input={accepted[index][:400]}\n  collate={json.dumps(output.get('text'))[:400]}\n  hf     ={json.dumps(want)[:400]}")
                rendered_total += len(expected)
            for record, error in refused[:3]:
                input_path = os.path.join(folder, "refused.jsonl")
                with open(input_path, "w", encoding="utf-8") as out:
                    out.write(record + "\n")
                run = subprocess.run([COLLATE, "chat", "--template", folder, "--tokenizer", folder, "--input", input_path],
                                     capture_output=True, text=True, timeout=60)
                if run.returncode != 1:
                    mismatches += 1
                    print(f"MISMATCH {name}: transformers raised {error[:200]} but collate exited {run.returncode}: {run.stdout[:300]}")
                refused_total += 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"seed {seed}: {rendered_total} conversations rendered, {refused_total} refusals checked, {mismatches} mismatches")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
