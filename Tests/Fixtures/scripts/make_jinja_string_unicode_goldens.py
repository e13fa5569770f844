#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/string-unicode.jsonl: the string methods and filters chat templates
apply to message content (`strip`, `split`, `title`, `capitalize`, `upper`, `lower`, `trim`,
`wordcount`, `center`, `splitlines`, `startswith`, `find`, `replace`, slicing, `length`, ...) on text a
conversation can hold: Unicode whitespace (NBSP, U+2028, U+3000, the \\x1c-\\x1f separators, U+0085),
case mappings that change length (ß, ŉ, İ, ﬁ), titlecase digraphs (ǆ), combining marks, emoji with ZWJ
and skin tones, RTL text, astral letters, digits of other scripts, apostrophes inside words.
Rendered by transformers 5.23's chat-template environment (jinja2 3.1.6).

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_string_unicode_goldens.py
"""
from _jinja_goldens import write_cases

TEXTS = {
    "ws": "\u00a0\u2028 a\u3000b\x1cc\x1dd\x1ee\x1ff\x85g\u200bh\u2009i\t\n\x0b\x0c ",
    "case": "straße ŉ İstanbul ﬁne ǆungla Ǆ ΣΑΣ ὈΔΥΣΣΕΎΣ",
    "title": "they're bill's friends from the UK 3rd-grade o'neil ǆ x_y 𝐚bc",
    "marks": "e\u0301te\u0301 a\u0308 ﾟ ٠١٢ ½ ² 𝟙",
    "emoji": "👩🏽\u200d💻 🇨🇭 ⌚️ שלום עולם",
}
METHODS = [
    ("strip", "{{ t.strip() | tojson }}"), ("lstrip", "{{ t.lstrip() | tojson }}"), ("rstrip", "{{ t.rstrip() | tojson }}"),
    ("trim", "{{ t | trim | tojson }}"), ("split", "{{ t.split() | tojson }}"), ("split_space", "{{ t.split(' ') | tojson }}"),
    ("split_max", "{{ t.split(None, 2) | tojson }}"), ("rsplit_max", "{{ t.rsplit(None, 1) | tojson }}"),
    ("splitlines", "{{ t.splitlines() | tojson }}"), ("title", "{{ t.title() | tojson }}"), ("title_filter", "{{ t | title | tojson }}"),
    ("capitalize", "{{ t.capitalize() | tojson }}"), ("capitalize_filter", "{{ t | capitalize | tojson }}"),
    ("upper", "{{ t.upper() | tojson }}"), ("lower", "{{ t.lower() | tojson }}"), ("swapcase", "{{ t.swapcase() | tojson }}"),
    ("casefold", "{{ t.casefold() | tojson }}"), ("length", "{{ t | length }} {{ t.upper() | length }}"),
    ("wordcount", "{{ t | wordcount }}"), ("center", "{{ t[:5].center(11, '*') | tojson }}"),
    ("isspace", "{{ t.isspace() }} {{ t[:2].isspace() }}"), ("isalpha", "{{ t.isalpha() }} {{ t[:3].isalpha() }}"),
    ("isdigit", "{{ t.isdigit() }} {{ t.isdecimal() }} {{ t.isnumeric() }}"), ("istitle", "{{ t.istitle() }} {{ t.title().istitle() }}"),
    ("slice_reverse", "{{ t[::-1] | tojson }}"), ("slice_step", "{{ t[1:9:2] | tojson }}"),
    ("find", "{{ t.find(' ') }} {{ t.rfind(' ') }} {{ t.count(' ') }}"), ("replace_space", "{{ t.replace(' ', '_', 2) | tojson }}"),
    ("tojson_ascii", "{{ t | tojson }}"), ("string_repr", "{{ [t] | string }}"), ("indent", "{{ (t ~ '\\nsecond line') | indent(2, true) | tojson }}"),
    ("partition", "{{ t.partition(' ') | tojson }}"), ("zfill", "{{ t[:3].zfill(6) | tojson }}"), ("expandtabs", "{{ ('a\\tb' ~ t[:2]).expandtabs(4) | tojson }}"),
]
ARGUMENT_METHODS = [
    ("strip_chars", "{{ t.strip(' \u00a0\u2028a') | tojson }} {{ t.lstrip('\u00a0\u2028 ') | tojson }} {{ t.rstrip(' \x0c') | tojson }}"),
    ("split_sep", "{{ t.split('a') | tojson }} {{ t.split('\u3000') | tojson }} {{ t.rsplit(' ', 1) | tojson }}"),
    ("splitlines_keep", "{{ t.splitlines(true) | tojson }}"),
    ("startswith_tuple", "{{ t.startswith(('x', t[:2])) }} {{ t.endswith(t[-1:], 0) }} {{ t.startswith(t[1:3], 1) }}"),
    ("justify", "{{ t[:4].ljust(8, '·') | tojson }} {{ t[:4].rjust(8) | tojson }} {{ t[:3].center(8, '🇨') | tojson }}"),
    ("format_method", "{{ '{} / {}'.format(t[:3], t | length) | tojson }}"),
    ("percent", "{{ ('%-6s|%.3s|%5.2s' % (t[:2], t, t)) | tojson }}"),
    ("truncate", "{{ t | truncate(12) | tojson }} {{ t | truncate(12, true, '…', 0) | tojson }}"),
    ("list_filters", "{{ t | list | length }} {{ t | reverse | tojson }} {{ t | first | tojson }} {{ t | last | tojson }}"),
    ("unique_sort", "{{ t | unique | list | length }} {{ (t | list | sort | first) | tojson }}"),
    ("replace_filter", "{{ t | replace('\u00a0', ' ') | replace('s', 'S', 1) | tojson }}"),
    ("escape", "{{ (t ~ '<&>\\'\"') | escape }}"),
]
NUMBERS = ["٣", "½", "²", " 42 ", "4_2", "0x1A", "1e3", "-0", "  -7.9\n", "١٢.٥", "inf", "nan", "1_000.5", "+3", "٣٤", "١e٢", "", "∞"]
NUMBER_CASES = [(f"number_{index}", "{{ t | int }} {{ t | float }} {{ t | int(-1) }} {{ t | float(-1.5) }}", {"t": text})
                for index, text in enumerate(NUMBERS)]
TOJSON = [
    ("tojson_sort_keys", "{{ {'b': 1, 'a': [1, t], 'A': none} | tojson(sort_keys=true) }}"),
    ("tojson_separators", "{{ {'k': [1, 2], 'v': t} | tojson(separators=(',', ':')) }}"),
    ("tojson_ascii_true", "{{ t | tojson(ensure_ascii=true) }}"),
    ("tojson_indent_nested", "{{ {'a': [], 'b': {}, 'c': [t, {'d': [none, true, 1.5]}]} | tojson(indent=2) }}"),
    ("tojson_indent_string", "{{ {'a': [1]} | tojson(indent='--') }}"),
    ("tojson_tuple", "{{ (t, 1, none) | tojson }}"),
    ("tojson_numbers", "{{ [1e308 * 10, -1e308 * 10, (1e308 * 10) - (1e308 * 10), 2 ** 62, 0.1 + 0.2, 1 / 3, -0.0, 100.0, 1e16, 123456789012345678] | tojson }}"),
]
CASES = ([(f"{method}_{name}", template, {"t": text}) for name, text in list(TEXTS.items())[:2] for method, template in TOJSON]
         + [(f"{method}_{name}", template, {"t": text}) for name, text in TEXTS.items() for method, template in METHODS + ARGUMENT_METHODS]
         + NUMBER_CASES)


def main():
    write_cases("string-unicode.jsonl", CASES)


if __name__ == "__main__":
    main()
