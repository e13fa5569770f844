#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/lexer-sweep.jsonl: the lexer's and parser's corners as chat templates
reach them: string escapes (`\\x41`, `\\u00e9`, `\\U0001F600`, `\\N{...}`, octal, a backslash before a
newline, unknown escapes kept), number literals (`1_000`, `0x1F`, `0o17`, `0b101`, `1e3`, `.5`-less
forms), whitespace control (`{%-`, `-%}`, `{%+`, `+%}`, `{{-`, `{#- -#}`) under trim_blocks and
lstrip_blocks with tabs and CRLF line ends, `{% raw %}`, the final newline jinja2 drops, operator
precedence (`not a in b`, `-2 ** 2`, `a ~ b + c`, filters binding before `**`), and expressions spread
over lines. Rendered by transformers 5.23's chat-template environment (jinja2 3.1.6).

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_lexer_sweep_goldens.py
"""
from _jinja_goldens import write_cases

CASES = [
    ("escape_hex_unicode", r"{{ '\x41\u00e9\U0001F600' }}", {}),
    ("escape_named", r"{{ '\N{BULLET} \N{LATIN SMALL LETTER E WITH ACUTE}' }}", {}),
    ("escape_octal", r"{{ '\101\7' | tojson }}", {}),
    ("escape_unknown_kept", r"{{ '\d\w\q' }}", {}),
    ("escape_quotes", r"""{{ 'it\'s' ~ "say \"hi\"" }}""", {}),
    ("escape_backslash_newline", "{{ 'a\\\nb' }}", {}),
    ("escape_tab_cr", r"{{ 'a\tb\rc' | tojson }}", {}),
    ("numbers_underscore_bases", "{{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1e3 }} {{ 2.5e-3 }} {{ 1_0.5 }} {{ 0 }}", {}),
    ("whitespace_minus_plus", "a  {%- if true -%}  b  {%- endif -%}  c\n  {%+ if true %}d{% endif %}\n  {% if true +%}\ne{% endif %}", {}),
    ("lstrip_tabs", "x\n\t  {% if true %}\n\ty\n\t{% endif %}\nz", {}),
    ("crlf_template", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\r\n", {}),
    ("comment_trim", "a {#- note -#} b\n{# full-line comment #}\nc", {}),
    ("raw_block", "{% raw %}{{ not rendered }} {% if %}{% endraw %}|{%- raw -%}  x  {%- endraw -%}|", {}),
    ("final_newline_dropped", "line\n", {}),
    ("two_final_newlines", "line\n\n", {}),
    ("expression_newline_tilde", "{{ 'a' ~\n   'b' ~\n   ('c'\n   ) }}", {}),
    ("precedence", "{{ not 1 in [2] }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ [1, 2] | length * 3 }} {{ 2 * -1 }} {{ 10 - 2 - 3 }}", {}),
    ("precedence_plus_tilde", "{{ 1 + 2 ~ 3 }}", {}),
    ("precedence_tilde_plus", "{{ 'a' ~ 1 + 2 }}", {}),
    ("precedence_not_and_or", "{{ not true and false }} {{ not (true and false) }} {{ true or false and false }} {{ 1 if 0 else 2 if 1 else 3 }}", {}),
    ("filter_on_literal_minus", "{{ -3 | abs }} {{ (-3) | abs }}", {}),
    ("string_concat_adjacent", "{{ 'a' 'b' \"c\" }}", {}),
    ("dict_trailing_comma_tuple", "{{ {'a': 1,} }} {{ (1,) }} {{ () }} {{ [1, 2,] }}", {}),
    ("set_tuple_unpack", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set (c, d) = [3, 4] %}{{ c }}{{ d }}", {}),
    ("for_else_filter", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1, 2, 3] if x > 1 %}{{ x }}{{ loop.length }}{% endfor %}", {}),
    ("if_expression_in_for", "{% for x in ([1] if true else [2]) %}{{ x }}{% endfor %}", {}),
    ("nested_quotes_in_tags", "{% set s = \"{% not a tag %}\" %}{{ s }}{{ '}}' }}", {}),
    ("whitespace_in_tags", "{%set x=1%}{{x}}{%-   if   x   ==1   -%} y {%-endif-%}", {}),
    ("line_after_block_tag", "{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}\nend", {}),
    ("empty_expression_error", "{{ }}", {}),
    ("unclosed_block_error", "{% if true %}x", {}),
    ("unknown_tag_error", "{% frobnicate %}", {}),
]


def main():
    write_cases("lexer-sweep.jsonl", CASES)


if __name__ == "__main__":
    main()
