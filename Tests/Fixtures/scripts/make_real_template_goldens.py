#!/usr/bin/env python3
"""Regenerates Tests/Fixtures/chat-templates-real/goldens.jsonl: published chat templates that the
other chat-template fixtures do not hold (Kimi K2, DeepSeek-V3.1, GLM-4.6, Seed-OSS, MiniMax M1/M2,
Nemotron, Qwen3-Coder, Llama 4, Hunyuan, OLMo 3, Mistral Small 3.1, MiniCPM3, ... — the list and
where each comes from is in ../chat-templates-real/README.md), rendered by transformers 5.23 on
the conversations of make_chat_template_attack_goldens.py (imported, not copied) plus a few more
that these templates read: tool-call ids of nine characters and more, nested tool schemas (enums,
defaults, nested objects, arrays of objects, union types), a conversation ending with a tool call,
several tool rounds, `thinking_budget`, `enable_thinking=True`, a message `name`, a system message
given as parts.

The rendering is the attack script's (`render`): transformers 5.23's `render_jinja_template` after
apply_chat_template's preprocessing (None-valued message keys dropped, variables
`{**special_tokens, **kwargs}`), `strftime_now` pinned to 2026-01-15T09:30:00. A template's error is
recorded as `error` ("ExceptionType: message").

Lines: {"kind":"conversation","id","messages","tools","kwargs"},
{"kind":"template","name","path","special_tokens","has_generation"},
{"kind":"case","template","conversation","text"|"error","generation"?}: `generation` is the spans HF's
AssistantTracker records for a template with `{% generation %}` blocks (LFM2.5), `training_generation`
the spans of the tagged original for its untagged copy (`NAME_untagged`): what Collate's rule must give.

usage: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_real_template_goldens.py
       (any Python with transformers==5.23.* and jinja2 3.1.6)
"""
import json
import os
import sys

import jinja2
import transformers

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_chat_template_attack_goldens as attack  # noqa: E402  (the conversations and the renderer)

FIXTURES = os.path.dirname(HERE)
OUT = os.path.join(FIXTURES, "chat-templates-real")

QWEN = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
# (name, special tokens as the model's tokenizer_config.json names them); the file is templates/NAME.jinja.
TEMPLATES = [
    ("kimi_k2", {"bos_token": "[BOS]", "eos_token": "[EOS]", "pad_token": "[PAD]", "unk_token": "[UNK]"}),
    ("kimi_k2_thinking", {"bos_token": "[BOS]", "eos_token": "<|im_end|>", "pad_token": "[PAD]", "unk_token": "[UNK]"}),
    ("deepseek_v3_1", {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"}),
    ("glm4_6", {"eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>"}),
    ("seed_oss", {"bos_token": "<seed:bos>", "eos_token": "<seed:eos>", "pad_token": "<seed:pad>"}),
    ("minimax_m2", {"bos_token": "]~!b[", "eos_token": "[e~[", "unk_token": "]!d~["}),
    ("minimax_m1", {"bos_token": "<beginning_of_sentence>", "eos_token": "<end_of_sentence>", "unk_token": "<end_of_document>"}),
    ("nemotron_nano_v2", {"bos_token": "<s>", "eos_token": "<SPECIAL_12>", "unk_token": "<unk>"}),
    ("nemotron_super_v1_5", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    ("qwen3_coder", QWEN),
    ("xlam_qwen", QWEN),
    ("llama4_pythonic", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot|>", "pad_token": "<|finetune_right_pad|>"}),
    ("hunyuan_a13b", {"bos_token": "<|startoftext|>", "eos_token": "<|eos|>", "pad_token": "<|pad|>"}),
    ("olmo3", {"eos_token": "<|endoftext|>", "pad_token": "<|pad|>"}),
    ("internlm2_tool", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    ("granite_20b_fc", {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"}),
    ("mistral_small_3_1", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    ("minicpm3", {"bos_token": "<s>", "eos_token": "<|im_end|>", "unk_token": "<unk>"}),
    ("apriel_1_5", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    ("stepfun_3_7_flash", {"bos_token": "<s>", "eos_token": "<|im_end|>"}),
    ("gigachat3", {"bos_token": "<s>", "eos_token": "</s>"}),
    ("kimi_k3", {"bos_token": "[BOS]", "eos_token": "<|end_of_msg|>", "pad_token": "[PAD]", "unk_token": "[UNK]"}),
    ("hyperclovax_seed_think", {"bos_token": "<|endoftext|>", "eos_token": "<|endofturn|>", "pad_token": "<|endoftext|>"}),
    ("toolace", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    ("gemma3_pythonic", {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"}),
    ("apertus", {"bos_token": "<s>", "eos_token": "<|assistant_end|>", "pad_token": "<pad>", "unk_token": "<unk>"}),
    ("translategemma", {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"}),
    ("deepseek_v3_2", {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"}),
    ("inkbot", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    ("baichuan", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<unk>"}),
    ("deepseek_vl2", {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>", "pad_token": "<｜▁pad▁｜>"}),
    ("lfm2_5_8b", {"bos_token": "<|startoftext|>", "eos_token": "<|im_end|>", "pad_token": "<|pad|>"}),
    # LFM2.5-8B with its two generation tags removed (nothing else): Collate's rule on it must give
    # HF's spans of the tagged original (`training_generation`).
    ("lfm2_5_8b_untagged", {"bos_token": "<|startoftext|>", "eos_token": "<|im_end|>", "pad_token": "<|pad|>"}),
    ("llama3_2_pythonic", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    ("phi4_mini_tools", {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}),
]

PLANNER = {"type": "function", "function": {
    "name": "plan_trip", "description": "  Plan a trip with stops.  ",
    "parameters": {"type": "object", "properties": {
        "mode": {"type": "string", "enum": ["train", "car"], "description": "How to travel", "default": "train"},
        "stops": {"type": "array", "description": "Stops in order", "items": {
            "type": "object", "properties": {
                "city": {"type": "string", "description": "City"},
                "nights": {"type": "integer", "default": 1}},
            "required": ["city"]}},
        "budget": {"type": ["number", "null"], "description": "Budget in CHF"},
        "options": {"type": "object", "title": "Options", "properties": {
            "pets": {"type": "boolean", "default": False},
            "note": {"type": "string", "pattern": "^[a-z]+$"}},
            "required": []},
        "tags": {"type": "array", "items": {"type": "string"}},
        "extra": {"type": "object", "additionalProperties": {"type": "string"}},
        "when": {"oneOf": [{"type": "string", "description": "ISO date"}, {"type": "integer", "default": 0}],
                 "description": "When", "default": "today"},
        "nickname": {"type": "string", "nullable": True, "description": "Trip name\nshown to friends"}},
        "required": ["stops"]},
    "return": {"type": "string", "description": "The itinerary"}}}


def call(cid, name, args):
    return attack.call(cid, name, args)


UW = attack.UW
TR9 = {"role": "tool", "tool_call_id": "call0abcdef12", "name": "get_weather", "content": "{\"temp_c\": 11}"}
EXTRA_CONVERSATIONS = [
    ("tool-ids-nine-chars", [
        attack.SYS, UW,
        {"role": "assistant", "content": None, "tool_calls": [call("call0abcdef12", "get_weather", {"city": "Zürich", "unit": "celsius"})]},
        TR9,
        {"role": "assistant", "content": "11 °C."},
    ], [attack.WEATHER], {}),
    ("tool-ids-parallel-nine-chars", [
        {"role": "user", "content": "Bern and Chur?"},
        {"role": "assistant", "content": "",
         "tool_calls": [call("callBERN00001", "get_weather", {"city": "Bern"}), call("callCHUR00002", "get_weather", {"city": "Chur", "days": 3})]},
        {"role": "tool", "tool_call_id": "callBERN00001", "name": "get_weather", "content": "9"},
        {"role": "tool", "tool_call_id": "callCHUR00002", "name": "get_weather", "content": "7"},
        {"role": "assistant", "content": "Bern 9, Chur 7."},
        {"role": "user", "content": "Warmer one?"},
    ], [attack.WEATHER], {"add_generation_prompt": True}),
    ("nested-tool-schema", [
        attack.SYS, {"role": "user", "content": "Plan Bern → Lugano by train."},
        {"role": "assistant", "content": "Planning.", "tool_calls": [call("call0plan0001", "plan_trip", {
            "mode": "train", "stops": [{"city": "Bern", "nights": 2}, {"city": "Lugano"}], "budget": 350.5,
            "options": {"pets": False}})]},
        {"role": "tool", "tool_call_id": "call0plan0001", "name": "plan_trip", "content": "Bern (2) → Lugano (1)"},
        {"role": "assistant", "content": "Bern two nights, then Lugano."},
    ], [PLANNER, attack.LOOKUP], {}),
    ("ends-with-tool-call", [
        UW, {"role": "assistant", "content": "Let me check.", "tool_calls": [call("call0last0001", "get_weather", {"city": "Zürich"})]},
    ], [attack.WEATHER], {}),
    ("two-tool-rounds", [
        attack.SYS, UW,
        {"role": "assistant", "reasoning_content": "First the weather.", "content": "",
         "tool_calls": [call("call0round001", "get_weather", {"city": "Zürich"})]},
        {"role": "tool", "tool_call_id": "call0round001", "name": "get_weather", "content": "rain"},
        {"role": "assistant", "reasoning_content": "Then look up föhn.", "content": "It rains; checking föhn.",
         "tool_calls": [call("call0round002", "lookup", {"terms": ["föhn", "Zürich"]})]},
        {"role": "tool", "tool_call_id": "call0round002", "name": "lookup", "content": "No föhn today."},
        {"role": "assistant", "content": "Rain, no föhn.", "reasoning_content": "Both answers are in."},
        {"role": "user", "content": "Merci."},
        {"role": "assistant", "content": "De rien."},
    ], [attack.WEATHER, attack.LOOKUP], {}),
    ("thinking-budget", [attack.SYS, attack.U1, attack.A1, attack.U2], None,
     {"add_generation_prompt": True, "thinking_budget": 700}),
    ("thinking-budget-zero", [attack.U1], None, {"add_generation_prompt": True, "thinking_budget": 0}),
    ("thinking-enabled-prompt", [
        attack.SYS, attack.U1, {"role": "assistant", "content": "Berne.", "reasoning_content": "Federal city."}, attack.U2,
    ], None, {"add_generation_prompt": True, "enable_thinking": True}),
    ("message-names", [
        {"role": "system", "content": "Two users talk to you. /no_think"},
        {"role": "user", "name": "alice", "content": "Hi, I'm Alice."},
        {"role": "assistant", "name": "helper", "content": "Hello Alice."},
        {"role": "user", "name": "bob", "content": "And Bob /think"},
    ], None, {"add_generation_prompt": True}),
    ("kwargs-schema-and-choice", [attack.U1, attack.A1, attack.U2], [attack.LOOKUP], {
        "add_generation_prompt": True, "thinking": False, "tool_choice": "required",
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": {
            "type": "object", "properties": {"b": {"type": "integer"}, "a": {"type": "string", "enum": ["x", "y"]}}, "required": ["b"]}}}}),
    ("kwargs-effort-json-object", [attack.SYS, attack.U1], None, {
        "add_generation_prompt": True, "reasoning_effort": "high", "thinking_effort": "low", "tool_choice": "none",
        "response_format": {"type": "json_object"}, "force_reasoning": True}),
    ("tool-results-out-of-order", [
        {"role": "user", "content": "Bern and Chur?"},
        {"role": "assistant", "content": "Both.",
         "tool_calls": [call("callBERN00001", "get_weather", {"city": "Bern"}), call("callCHUR00002", "get_weather", {"city": "Chur"})]},
        {"role": "tool", "tool_call_id": "callCHUR00002", "name": "get_weather", "content": "7"},
        {"role": "tool", "tool_call_id": "callBERN00001", "name": "get_weather", "content": "9"},
        {"role": "assistant", "content": "Bern 9, Chur 7.", "reasoning_content": "Reordered."},
    ], [attack.WEATHER], {"thinking": True}),
    ("tricky-argument-values", [
        {"role": "user", "content": "Edge values, please."},
        {"role": "assistant", "content": "", "tool_calls": [call("callEDGE00001", "lookup", {
            "terms": ["a\"quote", "back\\slash", "tab\there", "nl\nline", "\u2028sep", "ctl\u0001", "émoji 🇨🇭", ""],
            "strict": False, "ratio": 0.1, "tiny": 1e-7, "two": 2.0, "big": 1e16, "negzero": -0.0, "huge": 9007199254740993,
            "neg": -42, "none": None, "empty_list": [], "empty_dict": {}, "nested": {"k": [1, 2.5, {"x": None, "y": True}]}})]},
        {"role": "tool", "tool_call_id": "callEDGE00001", "name": "lookup", "content": "{\"ok\": true, \"n\": 1.50}"},
        {"role": "assistant", "content": "Done: 1.50 → ok."},
    ], [attack.LOOKUP], {}),
    ("translate-text-then-custom", [
        {"role": "user", "content": "<<<source>>>en<<<target>>>de_DE<<<text>>>  Hello, world!  "},
        {"role": "assistant", "content": " Hallo, Welt! "},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "<<<custom>>> Describe this. "}, {"type": "image"}]},
    ], None, {"add_generation_prompt": True}),
    ("translate-image", [
        {"role": "user", "content": [{"type": "text", "text": "<<<source>>>ja<<<target>>>zh-Hant<<<image>>>"}, {"type": "image"}]},
        {"role": "assistant", "content": "圖片中的文字。"},
    ], None, {}),
    ("developer-role", [
        {"role": "developer", "content": "Answer in one word."},
        attack.U1, {"role": "assistant", "content": "Berne.", "reasoning_content": "Short."},
    ], [attack.WEATHER], {"enable_thinking": True}),
    ("tools-inside-messages", [
        {"role": "system", "content": "Sys.", "tools": [attack.WEATHER]},
        {"role": "user", "content": "Weather?", "response_format": {"type": "json_object"}},
    ], None, {"add_generation_prompt": True}),
    ("meta-roles", [
        {"role": "meta-current_date", "content": " 2026-01-15 "},
        {"role": "meta-task_name", "content": "general\n"},
        {"role": "system", "content": " First system. "},
        {"role": "system", "content": " Last system wins. "},
        {"role": "user_context", "content": "  Context block.  "},
        {"role": "user", "content": "  Question?  "},
        {"role": "assistant", "content": "  Answer.  "},
        {"role": "user", "content": "Again?"},
    ], None, {"add_generation_prompt": True}),
    ("mapping-content", [
        {"role": "system", "content": {"text": "Structured system."}},
        {"role": "user", "content": {"parts": [{"type": "text", "text": "Weather in Bern?"}]}},
        {"role": "assistant", "content": {"blocks": [
            {"type": "thoughts", "text": "Call the tool."},
            {"type": "tool_calls", "calls": [{"name": "get_weather", "arguments": "{\"city\": \"Bern\"}"}]},
            {"type": "tool_outputs", "outputs": [{"output": "{\"temp_c\": 9}"}]},
            {"type": "response", "text": "9 °C in Bern."}]}},
        {"role": "tool", "tool_call_id": "call0map00001", "content": {"content": "nested result"}},
        {"role": "user", "content": {"parts": [{"type": "text", "text": "Thanks."}]}},
    ], [attack.WEATHER], {"add_generation_prompt": True}),
    ("numbers-as-content", [
        {"role": "user", "content": 42},
        {"role": "assistant", "content": 3.5},
        {"role": "user", "content": True},
    ], None, {}),
    ("system-as-parts", [
        {"role": "system", "content": [{"type": "text", "text": "  Be terse.  "}]},
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": " Describe. "}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
    ], None, {}),
]
CONVERSATIONS = attack.CONVERSATIONS + EXTRA_CONVERSATIONS


# Token level for the generation-tagged template (LFM2.5-8B): `apply_chat_template(..., tokenize=True,
# return_assistant_tokens_mask=True)` with the repository's mistral-v1-chatml tokenizer.json (loaded as
# ../scripts/make_chat_template_goldens.py loads it), into token-goldens.jsonl.
TOKEN_TEMPLATES = ["lfm2_5_8b"]
TOKEN_TOKENIZER = "mistral-v1-chatml"


def write_token_goldens(lines):
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(FIXTURES, "tokenizers", TOKEN_TOKENIZER, "tokenizer.json"))
    texts = {(l["template"], l["conversation"]): l["text"] for l in lines if l["kind"] == "case" and "text" in l}
    specials = dict(TEMPLATES)
    out = []
    for name in TOKEN_TEMPLATES:
        source = open(os.path.join(FIXTURES, "chat-templates-real", "templates", name + ".jinja"), encoding="utf-8").read()
        for cid, messages, tools, kwargs in CONVERSATIONS:
            if (name, cid) not in texts:
                continue
            messages = [{k: v for k, v in m.items() if v is not None} for m in messages]
            extra = {k: v for k, v in kwargs.items() if k != "add_generation_prompt"}
            common = dict(tools=tools, chat_template=source, add_generation_prompt=kwargs.get("add_generation_prompt", False),
                          **specials[name], **extra)
            encoded = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True, **common)
            text = tokenizer.apply_chat_template(messages, tokenize=False, **common)
            assert text == texts[(name, cid)], (name, cid)
            out.append({"template": name, "conversation": cid, "tokenizer": TOKEN_TOKENIZER,
                        "input_ids": list(encoded["input_ids"]), "assistant_masks": list(encoded["assistant_masks"])})
    with open(os.path.join(OUT, "token-goldens.jsonl"), "w", encoding="utf-8") as f:
        for line in out:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
    print(f"{len(out)} token cases ({TOKEN_TOKENIZER})")


def main():
    if not transformers.__version__.startswith("5.23"):
        sys.exit(f"needs transformers 5.23.*, found {transformers.__version__}")
    attack.pin_strftime_now(lambda: attack.NOW)
    ids = [c[0] for c in CONVERSATIONS]
    assert len(ids) == len(set(ids)), "conversation ids must be distinct"
    lines = [{"kind": "conversation", "id": cid, "messages": messages, "tools": tools, "kwargs": kwargs}
             for cid, messages, tools, kwargs in CONVERSATIONS]
    counts = {"text": 0, "error": 0}
    for name, special in TEMPLATES:
        path = f"chat-templates-real/templates/{name}.jinja"
        source = open(os.path.join(FIXTURES, path), encoding="utf-8").read()
        has_generation = "generation" in source and "endgeneration" in source
        lines.append({"kind": "template", "name": name, "path": path, "special_tokens": special, "has_generation": has_generation})
        for cid, messages, tools, kwargs in CONVERSATIONS:
            case = {"kind": "case", "template": name, "conversation": cid}
            try:
                text, spans = attack.render(source, messages, tools, kwargs, special)
                case["text"] = text
                if spans is not None:
                    case["generation"] = [list(span) for span in spans]
                if name.endswith("_untagged"):
                    tagged = open(os.path.join(FIXTURES, path.replace("_untagged", "")), encoding="utf-8").read()
                    tagged_text, tagged_spans = attack.render(tagged, messages, tools, kwargs, special)
                    assert tagged_text == text, (name, cid)
                    case["training_generation"] = [list(span) for span in tagged_spans]
                counts["text"] += 1
            except Exception as error:  # the case expects the template's error
                case["error"] = f"{type(error).__name__}: {error}"
                counts["error"] += 1
            lines.append(case)
    with open(os.path.join(OUT, "goldens.jsonl"), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    write_token_goldens(lines)
    print(f"{len(TEMPLATES)} templates x {len(CONVERSATIONS)} conversations: {counts['text']} rendered, "
          f"{counts['error']} template errors (transformers {transformers.__version__}, jinja2 {jinja2.__version__})")


if __name__ == "__main__":
    main()
