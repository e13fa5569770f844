"""Regenerates Tests/Fixtures/chat-templates/: TRL 1.16.0's chat templates (copied from the
installed wheel) and goldens.jsonl, the text transformers 5.23's `apply_chat_template(...,
tokenize=False)` renders for every (template, conversation) pair, plus the `{% generation %}`
character spans (`return_assistant_tokens_mask`'s source) for generation-tagged templates, and
token-goldens.jsonl: input_ids and assistant_masks with a repository tokenizer for a few of them.

No tokenizer from the hub is needed: `apply_chat_template` with `tokenize=False` is
`render_jinja_template` over the conversation after two preprocessing steps, which this script
repeats exactly as transformers 5.23 does them (tokenization_utils_base.py, apply_chat_template):
  1. keys whose value is None are dropped from every message;
  2. the template variables are `{**special_tokens_map, **kwargs}` (kwargs win);
then `render_jinja_template` (utils/chat_template_utils.py) aliases `reasoning` / `thinking` into
`reasoning_content` (and `thinking`) and renders with `messages`, `tools`, `documents`,
`add_generation_prompt`. Template errors (`raise_exception`, a TypeError from the template's own
expressions, ...) are recorded as expected errors.

`strftime_now` is pinned to NOW below so the goldens do not depend on the day they were made.

Optional tooling: `swift test` only reads the files this script writes.

usage: python3 make_chat_template_goldens.py   (needs transformers==5.23.*, trl==1.16.0, jinja2)
"""
import datetime
import glob
import json
import os
import shutil
import sys

import jinja2
import transformers
import trl
from transformers.utils.chat_template_utils import _compile_jinja_template, render_jinja_template

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "chat-templates")
TEMPLATES_OUT = os.path.join(OUT, "templates")
TRL_TEMPLATES = os.path.join(os.path.dirname(trl.__file__), "chat_templates")

NOW = datetime.datetime(2026, 1, 15, 9, 30, 0)

# Special tokens each template family's tokenizer_config.json carries (the ones the templates
# read are bos_token / eos_token; the others are passed as transformers passes every named one).
SPECIAL = {
    "cohere": {"bos_token": "<BOS_TOKEN>", "eos_token": "<|END_OF_TURN_TOKEN|>", "pad_token": "<PAD>", "unk_token": "<UNK>"},
    "deepseek": {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"},
    "gemma": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "glm4moe": {"eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>"},
    "gptoss": {"bos_token": "<|startoftext|>", "eos_token": "<|return|>", "pad_token": "<|endoftext|>"},
    "idefics3": {"bos_token": "<|begin_of_text|>", "eos_token": "<end_of_utterance>", "pad_token": "<|reserved_special_token_0|>"},
    "lfm2": {"bos_token": "<|startoftext|>", "eos_token": "<|im_end|>", "pad_token": "<|pad|>"},
    "llama3": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "llava_next": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
    "muse_glimmer": {"bos_token": "<|begin_of_text|>", "eos_token": "<|end|>"},
    "nemotron": {"bos_token": "<s>", "eos_token": "<|im_end|>", "unk_token": "<unk>"},
    "phi3": {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>", "pad_token": "<|endoftext|>"},
    "qwen": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "smolvlm": {"bos_token": "<|im_start|>", "eos_token": "<end_of_utterance>", "pad_token": "<|im_end|>"},
}
FAMILY_PREFIXES = [
    ("cohere", "cohere"), ("deepseek", "deepseek"), ("diffusion_gemma", "gemma"), ("gemma", "gemma"),
    ("glm4moe", "glm4moe"), ("gptoss", "gptoss"), ("idefics3", "idefics3"), ("lfm2", "lfm2"),
    ("llama3", "llama3"), ("llava_next", "llava_next"), ("muse_glimmer", "muse_glimmer"),
    ("nemotron", "nemotron"), ("phi3", "phi3"), ("qwen", "qwen"), ("smolvlm", "smolvlm"),
]


def family(name):
    for prefix, fam in FAMILY_PREFIXES:
        if name.startswith(prefix):
            return fam
    raise SystemExit(f"no special tokens for template {name}: add its family to FAMILY_PREFIXES")


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city name, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}
SEARCH = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["query"],
        },
    },
}


def call(cid, name, args):
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}


SYS = {"role": "system", "content": "You are a helpful assistant."}
U1 = {"role": "user", "content": "What is the capital of France?"}
A1 = {"role": "assistant", "content": "The capital of France is Paris."}
U2 = {"role": "user", "content": "And of Italy?"}
A2 = {"role": "assistant", "content": "Rome."}
U3 = {"role": "user", "content": "Thanks! One more: Spain?"}
A3 = {"role": "assistant", "content": "Madrid is the capital of Spain."}
UW = {"role": "user", "content": "What's the weather in Paris?"}
TC1 = {"role": "assistant", "content": None, "tool_calls": [call("call_1", "get_weather", {"city": "Paris"})]}
TR1 = {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "{\"temperature\": 21, \"sky\": \"clear\"}"}
AW = {"role": "assistant", "content": "It is 21 degrees and clear in Paris."}

# Each conversation: id, messages, tools (or None), kwargs (add_generation_prompt and the
# template's extra variables). Ends with an assistant turn unless it is a prompt.
CONVERSATIONS = [
    ("single-turn", [U1, A1], None, {}),
    ("system-single-turn", [SYS, U1, A1], None, {}),
    ("system-multi-turn", [SYS, U1, A1, U2, A2, U3, A3], None, {}),
    ("multi-turn-no-system", [U1, A1, U2, A2], None, {}),
    ("prompt-generation", [SYS, U1], None, {"add_generation_prompt": True}),
    ("multi-turn-prompt-generation", [U1, A1, U2], None, {"add_generation_prompt": True}),
    ("user-only-no-generation", [U1], None, {}),
    ("tools-one-call", [SYS, UW, TC1, TR1, AW], [WEATHER], {}),
    ("tools-no-system", [UW, TC1, TR1, AW], [WEATHER, SEARCH], {}),
    ("tools-parallel-calls", [
        {"role": "user", "content": "Weather in Paris and in Rome, please."},
        {"role": "assistant", "content": "",
         "tool_calls": [call("call_a", "get_weather", {"city": "Paris"}),
                        call("call_b", "get_weather", {"city": "Rome", "unit": "celsius"})]},
        {"role": "tool", "tool_call_id": "call_a", "name": "get_weather", "content": "{\"temperature\": 21}"},
        {"role": "tool", "tool_call_id": "call_b", "name": "get_weather", "content": "{\"temperature\": 25}"},
        {"role": "assistant", "content": "Paris: 21 degrees. Rome: 25 degrees."},
    ], [WEATHER], {}),
    ("tools-call-with-text", [
        UW,
        {"role": "assistant", "content": "Let me check that for you.",
         "tool_calls": [call("call_1", "get_weather", {"city": "Paris"})]},
        TR1, AW,
    ], [WEATHER], {}),
    ("tools-multi-step", [
        SYS,
        {"role": "user", "content": "Find the weather where the Louvre is."},
        {"role": "assistant", "tool_calls": [call("call_1", "search", {"query": "Louvre city", "limit": 1})]},
        {"role": "tool", "tool_call_id": "call_1", "name": "search", "content": "The Louvre is in Paris."},
        {"role": "assistant", "tool_calls": [call("call_2", "get_weather", {"city": "Paris"})]},
        {"role": "tool", "tool_call_id": "call_2", "name": "get_weather", "content": "{\"temperature\": 18}"},
        {"role": "assistant", "content": "The Louvre is in Paris, where it is 18 degrees."},
    ], [SEARCH, WEATHER], {}),
    ("tools-plain-answer", [SYS, U1, A1], [WEATHER], {}),
    ("tools-prompt-generation", [SYS, UW], [WEATHER], {"add_generation_prompt": True}),
    ("reasoning-single-turn", [
        U1, {"role": "assistant", "content": "Paris.", "reasoning_content": "France's capital is Paris."},
    ], None, {}),
    ("reasoning-multi-turn", [
        SYS,
        U1, {"role": "assistant", "content": "Paris.", "reasoning_content": "Easy: Paris."},
        U2, {"role": "assistant", "content": "Rome.", "reasoning_content": "Italy's capital is Rome."},
    ], None, {}),
    ("reasoning-key-alias", [
        U1, {"role": "assistant", "content": "Paris.", "reasoning": "Known fact."},
    ], None, {}),
    ("thinking-key-alias", [
        U1, {"role": "assistant", "content": "Paris.", "thinking": "Known fact, thinking key."},
    ], None, {}),
    ("reasoning-with-tools", [
        UW,
        {"role": "assistant", "reasoning_content": "I should call the weather tool.",
         "tool_calls": [call("call_1", "get_weather", {"city": "Paris"})]},
        TR1,
        {"role": "assistant", "content": "It is 21 degrees in Paris.", "reasoning_content": "The tool said 21."},
    ], [WEATHER], {}),
    ("inline-think-tags", [
        U1, {"role": "assistant", "content": "<think>\nRecall the capital.\n</think>\n\nParis."},
    ], None, {}),
    ("enable-thinking-false", [U1, A1], None, {"enable_thinking": False}),
    ("enable-thinking-false-prompt", [U1], None, {"add_generation_prompt": True, "enable_thinking": False}),
    ("enable-thinking-true-prompt", [SYS, U1], None, {"add_generation_prompt": True, "enable_thinking": True}),
    ("list-of-parts", [
        {"role": "system", "content": [{"type": "text", "text": "You are terse."}]},
        {"role": "user", "content": [{"type": "text", "text": "Name a color."}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Blue."}]},
    ], None, {}),
    ("list-of-parts-image", [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is in the picture?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
    ], None, {}),
    ("null-valued-keys", [
        {"role": "system", "content": "Be brief.", "name": None},
        {"role": "user", "content": "Hi", "tool_calls": None},
        {"role": "assistant", "content": "Hello!", "tool_calls": None, "reasoning_content": None, "refusal": None},
    ], None, {}),
    ("unicode-and-whitespace", [
        {"role": "user", "content": "  Café, 東京 and 😀?\n"},
        {"role": "assistant", "content": "\nÇa va — 東京は大きい 🎉  \n"},
    ], None, {}),
    ("empty-assistant", [U1, {"role": "assistant", "content": ""}], None, {}),
]


def render(template, messages, tools, kwargs, special, generation):
    """apply_chat_template(..., tokenize=False) for one conversation, as transformers 5.23 does it."""
    messages = [{k: v for k, v in m.items() if v is not None} for m in messages]
    template_kwargs = {**special, **{k: v for k, v in kwargs.items() if k != "add_generation_prompt"}}
    rendered, indices = render_jinja_template(
        conversations=[messages],
        tools=tools,
        chat_template=template,
        return_assistant_tokens_mask=generation,
        add_generation_prompt=kwargs.get("add_generation_prompt", False),
        **template_kwargs,
    )
    return rendered[0], (indices[0] if generation else None)


def main():
    if not transformers.__version__.startswith("5.23") or trl.__version__ != "1.16.0":
        sys.exit(f"needs transformers 5.23.* and trl 1.16.0, found {transformers.__version__} / {trl.__version__}")
    os.makedirs(TEMPLATES_OUT, exist_ok=True)
    names = []
    for path in sorted(glob.glob(os.path.join(TRL_TEMPLATES, "*.jinja"))):
        shutil.copyfile(path, os.path.join(TEMPLATES_OUT, os.path.basename(path)))
        names.append(os.path.basename(path).removesuffix(".jinja"))

    lines = []
    for cid, messages, tools, kwargs in CONVERSATIONS:
        lines.append({"kind": "conversation", "id": cid, "messages": messages, "tools": tools, "kwargs": kwargs})
    for name in names:
        source = open(os.path.join(TEMPLATES_OUT, name + ".jinja"), encoding="utf-8").read()
        compiled = _compile_jinja_template(source)
        compiled.environment.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
        generation = "generation" in source and "endgeneration" in source
        special = SPECIAL[family(name)]
        lines.append({"kind": "template", "name": name, "special_tokens": special, "has_generation": generation})
        for cid, messages, tools, kwargs in CONVERSATIONS:
            case = {"kind": "case", "template": name, "conversation": cid}
            try:
                text, spans = render(source, messages, tools, kwargs, special, generation)
                case["text"] = text
                if generation:
                    case["generation"] = [list(s) for s in spans]
            except (jinja2.TemplateError, TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
                case["error"] = f"{type(error).__name__}: {error}"
            lines.append(case)

    with open(os.path.join(OUT, "goldens.jsonl"), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    versions = {
        "transformers": transformers.__version__,
        "trl": trl.__version__,
        "jinja2": jinja2.__version__,
        "python": sys.version.split()[0],
        "strftime_now": NOW.isoformat(),
        "templates": len(names),
        "conversations": len(CONVERSATIONS),
    }
    with open(os.path.join(OUT, "VERSIONS.json"), "w", encoding="utf-8") as f:
        json.dump(versions, f, indent=2)
        f.write("\n")
    write_token_goldens(lines)
    cases = [l for l in lines if l["kind"] == "case"]
    print(f"{len(names)} templates x {len(CONVERSATIONS)} conversations: "
          f"{sum('text' in c for c in cases)} rendered, {sum('error' in c for c in cases)} template errors")


# Token-level goldens: `apply_chat_template(..., tokenize=True, return_dict=True,
# return_assistant_tokens_mask=True)` with a real tokenizer of the repository, for a few
# generation-tagged training templates on every conversation they render.
TOKEN_TEMPLATES = ["qwen2_5_training", "qwen3_training", "llama3_training", "gemma3_training",
                   "phi3_training", "deepseekv3_training"]
TOKEN_TOKENIZER = "mistral-v1-chatml"


def write_token_goldens(lines):
    from transformers import PreTrainedTokenizerFast

    # The tokenizer.json as it is (what Collate implements, and what golden/chat.jsonl uses).
    # AutoTokenizer would load this folder as transformers 5's LlamaTokenizer, which swaps the
    # file's Prepend normalizer for a Metaspace(prepend_scheme="first") pre-tokenizer and so
    # encodes "<|im_end|>\n" without the "▁" piece: a tokenizer-loading difference, not a
    # chat-template one.
    folder = os.path.join(os.path.dirname(OUT), "tokenizers", TOKEN_TOKENIZER)
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"))
    texts = {(l["template"], l["conversation"]): l["text"] for l in lines if l["kind"] == "case" and "text" in l}
    out = []
    for name in TOKEN_TEMPLATES:
        source = open(os.path.join(TEMPLATES_OUT, name + ".jinja"), encoding="utf-8").read()
        special = SPECIAL[family(name)]
        for cid, messages, tools, kwargs in CONVERSATIONS:
            if (name, cid) not in texts:
                continue
            extra = {k: v for k, v in kwargs.items() if k != "add_generation_prompt"}
            encoded = tokenizer.apply_chat_template(
                messages, tools=tools, chat_template=source, tokenize=True, return_dict=True,
                return_assistant_tokens_mask=True, add_generation_prompt=kwargs.get("add_generation_prompt", False),
                **special, **extra)
            text = tokenizer.apply_chat_template(
                messages, tools=tools, chat_template=source, tokenize=False,
                add_generation_prompt=kwargs.get("add_generation_prompt", False), **special, **extra)
            assert text == texts[(name, cid)], (name, cid)
            out.append({"template": name, "conversation": cid, "tokenizer": TOKEN_TOKENIZER,
                        "input_ids": list(encoded["input_ids"]), "assistant_masks": list(encoded["assistant_masks"])})
    with open(os.path.join(OUT, "token-goldens.jsonl"), "w", encoding="utf-8") as f:
        for line in out:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")
    print(f"{len(out)} token-level cases with {TOKEN_TOKENIZER}")


if __name__ == "__main__":
    main()
