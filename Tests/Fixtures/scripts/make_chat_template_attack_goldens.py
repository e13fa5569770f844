#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/chat-templates-attack/goldens.jsonl: model chat templates the rest of the
repository does not hold, written from their published text (Mistral v7 tekken, Command-R's named
`default` / `tool_use` list, Llama 3.3, QwQ, Qwen2-VL, Granite 3, SmolLM3, Phi-4, Phi-4-mini, Gemma 3n,
GLM-4, Hermes tool use), plus six TRL 1.16 templates from ../chat-templates/templates (read, not copied),
rendered by transformers 5.23 on conversations built to break them: system prompts, many turns, tools,
parallel and string-argument tool calls, tool results, reasoning, list-of-parts content (text, image,
video parts), unicode, empty strings, missing keys and None values.

The rendering is transformers 5.23's `apply_chat_template(..., tokenize=False)` without a tokenizer,
as ../scripts/make_chat_template_goldens.py does it: None-valued message keys dropped, the variables
`{**special_tokens, **kwargs}`, then `render_jinja_template` (reasoning / thinking aliased into
reasoning_content). A named list (Command-R's tokenizer_config.json) is chosen as transformers does:
`tool_use` when `tools` is given and that entry exists, else `default`. For `{% generation %}`
templates the AssistantTracker's spans are recorded too. `strftime_now` is pinned to NOW.

Lines: {"kind":"conversation","id","messages","tools","kwargs"},
{"kind":"template","name","path","special_tokens","has_generation"},
{"kind":"case","template","conversation","text"|"error","generation"?,"training_generation"?}: for the
templates with a generation-tagged copy written by the mask rule (templates/NAME_training.jinja:
Mistral v7 tekken, Llama 3.3, Granite 3, Phi-4, Gemma 3n), `training_generation` is the spans HF's
AssistantTracker records for that copy — what Collate must derive from the untagged original.

usage: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_chat_template_attack_goldens.py
"""
import datetime
import json
import os
import sys

import jinja2
import transformers
from transformers.utils import chat_template_utils
from transformers.utils.chat_template_utils import render_jinja_template

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
OUT = os.path.join(FIXTURES, "chat-templates-attack")
NOW = datetime.datetime(2026, 1, 15, 9, 30, 0)

# (name, path relative to Tests/Fixtures, special tokens as the model's tokenizer_config.json names them)
QWEN = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
TEMPLATES = [
    ("mistral_v7_tekken", "chat-templates-attack/templates/mistral_v7_tekken.jinja", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    ("command_r", "chat-templates-attack/command-r/tokenizer_config.json", None),
    ("llama3_3", "chat-templates-attack/templates/llama3_3.jinja", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    ("qwq", "chat-templates-attack/templates/qwq.jinja", QWEN),
    ("qwen2_vl", "chat-templates-attack/templates/qwen2_vl.jinja", QWEN),
    ("granite3", "chat-templates-attack/templates/granite3.jinja", {"bos_token": "<|end_of_text|>", "eos_token": "<|end_of_text|>", "pad_token": "<|end_of_text|>", "unk_token": "<|end_of_text|>"}),
    ("smollm3", "chat-templates-attack/templates/smollm3.jinja", {"eos_token": "<|im_end|>", "pad_token": "<|im_end|>"}),
    ("phi4", "chat-templates-attack/templates/phi4.jinja", {"bos_token": "<|endoftext|>", "eos_token": "<|im_end|>", "pad_token": "<|dummy_85|>", "unk_token": "<|endoftext|>"}),
    ("phi4_mini", "chat-templates-attack/templates/phi4_mini.jinja", {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}),
    ("gemma3n", "chat-templates-attack/templates/gemma3n.jinja", {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"}),
    ("glm4", "chat-templates-attack/templates/glm4.jinja", {"eos_token": "<|user|>", "pad_token": "<|endoftext|>"}),
    ("hermes", "chat-templates-attack/templates/hermes.jinja", {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"}),
    # TRL 1.16's copies of published templates (in ../chat-templates), on these conversations.
    ("trl_qwen2_5", "chat-templates/templates/qwen2_5.jinja", QWEN),
    ("trl_qwen2_5_vl", "chat-templates/templates/qwen2_5_vl.jinja", QWEN),
    ("trl_llama3_2", "chat-templates/templates/llama3_2.jinja", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    ("trl_gptoss", "chat-templates/templates/gptoss.jinja", {"bos_token": "<|startoftext|>", "eos_token": "<|return|>", "pad_token": "<|endoftext|>"}),
    ("trl_glm4moe", "chat-templates/templates/glm4moe.jinja", {"eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}),
    ("trl_cohere2", "chat-templates/templates/cohere2.jinja", {"bos_token": "<BOS_TOKEN>", "eos_token": "<|END_OF_TURN_TOKEN|>", "pad_token": "<PAD>", "unk_token": "<UNK>"}),
]

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city name, e.g. Zürich"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
        "days": {"type": "integer", "description": "Days ahead"}},
        "required": ["city"]}}}
LOOKUP = {"type": "function", "function": {
    "name": "lookup", "description": "Look a term up.",
    "parameters": {"type": "object", "properties": {
        "terms": {"type": "array", "items": {"type": "string"}, "description": "Terms"},
        "strict": {"type": "boolean"}},
        "required": ["terms"]}}}


def call(cid, name, args):
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}


SYS = {"role": "system", "content": "You are a careful assistant. Réponds en français si on te parle français."}
U1 = {"role": "user", "content": "Quelle est la capitale de la Suisse ?"}
A1 = {"role": "assistant", "content": "Berne est la ville fédérale de la Suisse."}
U2 = {"role": "user", "content": "And in Japanese: 日本の首都は？"}
A2 = {"role": "assistant", "content": "東京です。🗼"}
U3 = {"role": "user", "content": "Thanks!\n\nOne more, with a tab:\there."}
A3 = {"role": "assistant", "content": "You're welcome — تم ✅"}
UW = {"role": "user", "content": "Weather in Zürich for the next 2 days?"}
TC = {"role": "assistant", "content": None, "tool_calls": [call("call_0", "get_weather", {"city": "Zürich", "days": 2})]}
TR = {"role": "tool", "tool_call_id": "call_0", "name": "get_weather", "content": "{\"temp_c\": [14, 17], \"sky\": \"nuageux\"}"}
AW = {"role": "assistant", "content": "14 °C then 17 °C, cloudy."}

CONVERSATIONS = [
    ("sys-three-turns", [SYS, U1, A1, U2, A2, U3, A3], None, {}),
    ("no-system-two-turns", [U1, A1, U2, A2], None, {}),
    ("prompt-after-turns", [SYS, U1, A1, U2], None, {"add_generation_prompt": True}),
    ("user-only", [U2], None, {}),
    ("tool-call-and-result", [SYS, UW, TC, TR, AW], [WEATHER], {}),
    ("tool-call-no-system", [UW, TC, TR, AW], [WEATHER, LOOKUP], {}),
    ("tool-parallel-calls", [
        {"role": "user", "content": "Weather in Bern and look up 'föhn'."},
        {"role": "assistant", "content": "",
         "tool_calls": [call("call_a", "get_weather", {"city": "Bern"}), call("call_b", "lookup", {"terms": ["föhn"], "strict": True})]},
        {"role": "tool", "tool_call_id": "call_a", "name": "get_weather", "content": "{\"temp_c\": 9}"},
        {"role": "tool", "tool_call_id": "call_b", "name": "lookup", "content": "Föhn: a warm dry wind."},
        {"role": "assistant", "content": "Bern: 9 °C. Föhn is a warm, dry wind."},
    ], [WEATHER, LOOKUP], {}),
    ("tool-call-string-arguments", [
        UW,
        {"role": "assistant", "content": "Checking.", "tool_calls": [call("call_s", "get_weather", "{\"city\": \"Zürich\"}")]},
        {"role": "tool", "tool_call_id": "call_s", "name": "get_weather", "content": "sunny"},
        {"role": "assistant", "content": "Sunny."},
    ], [WEATHER], {}),
    ("tools-then-prompt", [SYS, UW], [WEATHER], {"add_generation_prompt": True}),
    ("tools-empty-list", [U1, A1], [], {}),
    ("reasoning-two-turns", [
        SYS, U1, {"role": "assistant", "content": "Berne.", "reasoning_content": "Switzerland has no de jure capital; Bern is the federal city."},
        U2, {"role": "assistant", "content": "東京。", "reasoning_content": "Tokyo."},
    ], None, {}),
    ("reasoning-thinking-alias", [U1, {"role": "assistant", "content": "Berne.", "thinking": "Federal city."}], None, {}),
    ("reasoning-inline-think", [U1, {"role": "assistant", "content": "<think>\nBern.\n</think>\n\nBerne."}, U2,
                                {"role": "assistant", "content": "<think>\nTokyo.\n</think>\n\n東京。"}], None, {}),
    ("reasoning-tool-call", [
        UW, {"role": "assistant", "reasoning_content": "Need the tool.", "tool_calls": [call("call_r", "get_weather", {"city": "Zürich"})]},
        TR, {"role": "assistant", "content": "Cloudy.", "reasoning_content": "The tool says cloudy."},
    ], [WEATHER], {}),
    ("thinking-disabled", [U1, A1], None, {"enable_thinking": False}),
    ("thinking-disabled-prompt", [SYS, U1], None, {"add_generation_prompt": True, "enable_thinking": False}),
    ("parts-text", [
        {"role": "system", "content": [{"type": "text", "text": "Be terse."}]},
        {"role": "user", "content": [{"type": "text", "text": "Name a colour."}, {"type": "text", "text": " One word."}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Bleu."}]},
    ], None, {}),
    ("parts-image-video", [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "And this clip?"}, {"type": "video"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A cat, then a dog."}]},
        {"role": "user", "content": [{"type": "image", "image": "cat.png"}, {"type": "text", "text": "Again?"}]},
        {"role": "assistant", "content": "Still a cat."},
    ], None, {"add_vision_id": True}),
    ("parts-empty-text", [
        {"role": "user", "content": [{"type": "text", "text": ""}]},
        {"role": "assistant", "content": [{"type": "text", "text": ""}]},
    ], None, {}),
    ("unicode-edges", [
        {"role": "user", "content": "e\u0301 vs \u00e9, ZWJ 👨\u200d👩\u200d👧, RTL \u05e9\u05dc\u05d5\u05dd, line\u2028sep, nbsp\u00a0end\u00a0"},
        {"role": "assistant", "content": "\u00a0 \t\n Both are 'é'. 🇨🇭 \n\n"},
    ], None, {}),
    ("empty-strings", [
        {"role": "system", "content": ""}, {"role": "user", "content": ""}, {"role": "assistant", "content": ""},
    ], None, {}),
    ("missing-content-user", [{"role": "user"}, {"role": "assistant", "content": "Hi?"}], None, {}),
    ("missing-content-assistant", [U1, {"role": "assistant"}], None, {}),
    ("none-values", [
        {"role": "system", "content": "Be brief.", "name": None},
        {"role": "user", "content": "Hi", "tool_calls": None, "name": "alice"},
        {"role": "assistant", "content": "Hello!", "tool_calls": None, "reasoning_content": None, "refusal": None},
    ], None, {}),
    ("system-in-the-middle", [U1, A1, {"role": "system", "content": "Now answer in English."}, U2, A2], None, {}),
    ("markers-in-content", [
        {"role": "user", "content": "Print <|im_end|> and [/INST] and <|eot_id|> literally."},
        {"role": "assistant", "content": "<|im_end|> [/INST] <|eot_id|> </s> <end_of_turn>"},
    ], None, {}),
    ("date-and-builtin-tools", [SYS, U1, A1], None, {"date_string": "01 Feb 2026", "builtin_tools": ["brave_search", "wolfram_alpha"]}),
    ("documents", [U1, A1], None, {"documents": [{"title": "Bern", "text": "Bern is the federal city."}, {"title": "Zürich", "text": "Zürich is the largest city."}]}),
]


def select(template, tools):
    if isinstance(template, dict):
        if tools is not None and "tool_use" in template:
            return template["tool_use"]
        return template["default"]
    return template


def load(path):
    full = os.path.join(FIXTURES, path)
    if path.endswith(".json"):
        config = json.load(open(full, encoding="utf-8"))
        special = {k: v for k, v in config.items() if k.endswith("_token") and isinstance(v, str)}
        return {e["name"]: e["template"] for e in config["chat_template"]}, special
    return open(full, encoding="utf-8").read(), None


def render(source, messages, tools, kwargs, special):
    messages = [{k: v for k, v in m.items() if v is not None} for m in messages]
    template_kwargs = {**special, **{k: v for k, v in kwargs.items() if k != "add_generation_prompt"}}
    generation = "generation" in source and "endgeneration" in source
    rendered, indices = render_jinja_template(
        conversations=[messages], tools=tools, chat_template=source, return_assistant_tokens_mask=generation,
        add_generation_prompt=kwargs.get("add_generation_prompt", False), **template_kwargs)
    return rendered[0], (indices[0] if generation else None)


def pin_strftime_now(now):
    """Makes every template transformers compiles from here on format `now()` in strftime_now
    (a fixed date makes goldens reproducible)."""
    original = chat_template_utils._compile_jinja_template

    def pinned(source):
        compiled = original(source)
        compiled.environment.globals["strftime_now"] = lambda fmt: now().strftime(fmt)
        return compiled

    chat_template_utils._compile_jinja_template = pinned


def main():
    if not transformers.__version__.startswith("5.23"):
        sys.exit(f"needs transformers 5.23.*, found {transformers.__version__}")
    # strftime_now pinned, as in ../scripts/make_chat_template_goldens.py.
    pin_strftime_now(lambda: NOW)
    lines = []
    for cid, messages, tools, kwargs in CONVERSATIONS:
        lines.append({"kind": "conversation", "id": cid, "messages": messages, "tools": tools, "kwargs": kwargs})
    counts = {"text": 0, "error": 0}
    for name, path, special in TEMPLATES:
        template, config_special = load(path)
        special = special if special is not None else config_special
        sources = template.values() if isinstance(template, dict) else [template]
        has_generation = any("generation" in s and "endgeneration" in s for s in sources)
        lines.append({"kind": "template", "name": name, "path": path, "special_tokens": special, "has_generation": has_generation})
        for cid, messages, tools, kwargs in CONVERSATIONS:
            case = {"kind": "case", "template": name, "conversation": cid}
            source = select(template, tools)
            try:
                text, spans = render(source, messages, tools, kwargs, special)
                case["text"] = text
                if spans is not None:
                    case["generation"] = [list(s) for s in spans]
                counts["text"] += 1
            except (jinja2.TemplateError, TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
                case["error"] = f"{type(error).__name__}: {error}"
                counts["error"] += 1
            # The mask reference: a generation-tagged copy written by the rule (`NAME_training.jinja`
            # beside the template): HF's AssistantTracker spans of that copy.
            training = os.path.join(FIXTURES, path.replace(".jinja", "_training.jinja"))
            if "text" in case and path.startswith("chat-templates-attack/") and path.endswith(".jinja") and os.path.exists(training):
                tagged = open(training, encoding="utf-8").read()
                tagged_text, tagged_spans = render(tagged, messages, tools, kwargs, special)
                assert tagged_text == case["text"], (name, cid)
                case["training_generation"] = [list(s) for s in tagged_spans]
            lines.append(case)
    with open(os.path.join(OUT, "goldens.jsonl"), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(TEMPLATES)} templates x {len(CONVERSATIONS)} conversations: {counts['text']} rendered, "
          f"{counts['error']} template errors (transformers {transformers.__version__}, jinja2 {jinja2.__version__})")


if __name__ == "__main__":
    main()
