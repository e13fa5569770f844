#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/replace.jsonl: `str.replace` and jinja2's `replace` filter rendered by
transformers' own chat-template environment (transformers 5.23 `_compile_jinja_template`: jinja2 3.1.6
ImmutableSandboxedEnvironment; Python 3.11 `str.replace`).

Python's semantics the cases pin: matches by code point, non-overlapping, left to right; `count` caps the
replacements (negative = all, 0 = none); an empty `old` inserts `new` before every code point and at the
end (code points, not grapheme clusters: a combining accent or a ZWJ emoji sequence is several); the filter
converts `old` and `new` with `str()` (`replace(1, 2)`, `replace(none, 'x')`), the method refuses
non-strings. Canonically equivalent strings (`é` as one code point or as `e` + U+0301) are different.

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_replace_goldens.py
"""
import json
import sys

from _jinja_goldens import write_cases

TEXTS = {
    "ascii": "a-b-c",
    "empty": "",
    "one": "x",
    "run": "aaaaa",
    "accent_nfc": "caf\u00e9",
    "accent_nfd": "cafe\u0301",
    "cjk": "\u6f22\u5b57\u304b\u306a",
    "emoji_zwj": "\U0001F468\u200D\U0001F469\u200D\U0001F467!",
    "flag": "\U0001F1EB\U0001F1F7",
    "mixed": "na\u00efve \u2014 r\u00e9sum\u00e9 \U0001F600 \u00e9\u00e9",
    "newlines": "a\nb\r\nc\n",
    "markers": "<|im_start|>user\nhi<|im_end|>\n",
}

# (old, new, count) triples; count None = not passed.
PAIRS = [
    ("-", "+", None), ("-", "+", 1), ("-", "+", 0), ("-", "+", -1), ("-", "+", -7), ("-", "", None),
    ("", "-", None), ("", "-", 0), ("", "-", 1), ("", "-", 2), ("", "-", 100), ("", "\u00b7", None),
    ("", "", None), ("a", "bb", None), ("aa", "b", None), ("aa", "b", 1), ("aaa", "", None),
    ("x", "xx", None), ("\u00e9", "e", None), ("e\u0301", "E", None), ("e", "E", None),
    ("\u0301", "", None), ("\u200D", "+", None), ("\U0001F1EB", "F", None), ("\U0001F468", "M", 1),
    ("\u5b57", "\u5b57\u5b57", None), ("\n", "\\n", None), ("\r\n", "\n", None),
    ("<|im_end|>", "</s>", None), ("<|im_start|>", "", None), ("longer than the text itself", "y", None),
]


def quote(value):
    return json.dumps(value, ensure_ascii=False)


def cases():
    out = []
    for text_id, text in TEXTS.items():
        for index, (old, new, count) in enumerate(PAIRS):
            args = f"{quote(old)}, {quote(new)}" + ("" if count is None else f", {count}")
            out.append((f"method_{text_id}_{index}", "{{ s.replace(" + args + ") }}", {"s": text}))
            out.append((f"filter_{text_id}_{index}", "{{ s | replace(" + args + ") }}", {"s": text}))
    out += [
        # The result is not scanned again: a replacement holding `old` stays.
        ("method_no_rescan", "{{ 'abab'.replace('ab', 'abab') }}", {}),
        ("method_count_true", "{{ 'aaa'.replace('a', 'b', true) }}", {}),
        ("method_chained", "{{ 'a b  c'.replace(' ', '_').replace('__', '=') }}", {}),
        ("method_in_loop", "{% for m in messages %}{{ m.content.replace('\\n', ' ') }}|{% endfor %}",
         {"messages": [{"role": "user", "content": "a\nb"}, {"role": "assistant", "content": "\u00e9\n\U0001F600"}]}),
        ("method_doubling_small", "{% set ns = namespace(s='ab') %}{% for i in range(5) %}{% set ns.s = ns.s.replace('a', 'aa') %}{% endfor %}{{ ns.s }}", {}),
        ("method_empty_doubling_small", "{% set ns = namespace(s='\u00e9') %}{% for i in range(3) %}{% set ns.s = ns.s.replace('', '-') %}{% endfor %}{{ ns.s }}", {}),
        # The filter converts its arguments and value with str().
        ("filter_int_args", "{{ 'a1b1'|replace(1, 2) }}", {}),
        ("filter_none_old", "{{ 'None here'|replace(none, 'x') }}", {}),
        ("filter_bool_new", "{{ 'x'|replace('x', true) }}", {}),
        ("filter_on_int", "{{ 12321|replace(2, 9) }}", {}),
        ("filter_on_list", "{{ ['a', 'b']|replace('a', 'z') }}", {}),
        ("filter_on_none", "{{ none|replace('N', 'n') }}", {}),
        ("filter_count_keyword", "{{ 'aaa'|replace('a', 'b', count=2) }}", {}),
        ("filter_count_none", "{{ 'aaa'|replace('a', 'b', none) }}", {}),
        ("filter_undefined_value", "[{{ nothing|replace('a', 'b') }}]", {}),
        # Errors: the method takes strings and an integer count.
        ("err_method_int_old", "{{ 'a1'.replace(1, 'b') }}", {}),
        ("err_method_none_new", "{{ 'a'.replace('a', none) }}", {}),
        ("err_method_one_arg", "{{ 'a'.replace('a') }}", {}),
        ("err_method_float_count", "{{ 'aaa'.replace('a', 'b', 1.5) }}", {}),
        ("err_filter_one_arg", "{{ 'a'|replace('a') }}", {}),
        ("err_filter_float_count", "{{ 'aaa'|replace('a', 'b', 1.5) }}", {}),
    ]
    return out


def main():
    write_cases("replace.jsonl", cases(), note=f", Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
