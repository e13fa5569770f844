#!/usr/bin/env python3
"""Goldens for the interpreter's byte-level fast paths (Tests/Fixtures/jinja/fast-paths.jsonl):
string slices and str.split on non-ASCII text, |length/|string/|trim, type tests, tojson written
into a byte buffer, literal-key misses, nested macro captures. Rendered with transformers 5.23's
chat-template environment (jinja2 3.1.6):

    /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_fast_path_cases.py > Tests/Fixtures/jinja/fast-paths.jsonl
"""
import json

from transformers.utils.chat_template_utils import _compile_jinja_template

CASES = [
    ("slice_non_ascii", "{{ 'héllo wörld'[1:4] }}|{{ '日本語テキスト'[2:] }}|{{ '日本語テキスト'[:-2] }}|{{ '日本語テキスト'[-3:-1] }}|{{ 'héllo'[4:2] }}|{{ 'héllo'[::2] }}|{{ 'héllo'[-100:100] }}"),
    ("split_bytes", "{{ 'a→b→→c'.split('→') }}|{{ 'x<|channel>y<|channel>'.split('<|channel>') }}|{{ ''.split('x') }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'aaa'.split('aa') }}|{{ 'é,é'.rsplit(',', 1) }}"),
    ("length_and_string", "{{ 'éé'|length }}|{{ '😀a'|length }}|{{ [1, 2]|length }}|{{ {'a': 1}|count }}|{{ 3|string ~ none|string ~ (' x '|trim) }}|{{ '  é  '|trim|length }}"),
    ("type_tests", "{{ [none is none, 'a' is string, 1 is string, {} is mapping, [] is iterable, y is defined, y is undefined, 1.5 is number, true is boolean, 'x' is sequence, y is not defined] }}"),
    ("tojson_buffer", "{{ {'k': 'ü\"\\n', 'n': none, 'b': [true, 1.5, -2]}|tojson }}|{{ [1, {'a': [true, none], 'e': {}, 'l': []}]|tojson(indent=2) }}|{{ 'é'|tojson }}"),
    ("missing_literal_key", "{% set m = {'role': 'user'} %}{{ m['tool_calls'] is defined }}|{{ m['items'] is defined }}|{{ m['role'] }}|{{ (m['missing'] or 'fallback') }}"),
    ("macro_captures", "{% macro w(x) %}<{{ x }}>{% endmacro %}{% macro v(x) %}[{{ w(x) }}{{ w(x ~ '!') }}]{% endmacro %}{% for i in range(3) %}{{ v(i) }}{% endfor %}{% set b %}{{ v('é') }}{% endset %}{{ b|length }}"),
    # `{{ a + b ~ c }}` writes each string operand as it comes and takes the output back when a
    # later operand is not a string (the whole expression is then evaluated as jinja2 does).
    ("concatenation_rewinds", "{{ 'a' ~ 1 }}|{{ 'x' + 'y' ~ 2 ~ 'z' }}|{{ [1] + [2] }}|{{ 'é' ~ none ~ 'é' }}|{% for i in ['p', 'q'] %}{{ i ~ '-' ~ loop.index ~ ';' }}{% endfor %}|{% set s %}{{ 'in' ~ 3 }}{{ 'ok' + '!' }}{% endset %}[{{ s }}]|{% macro m(x) %}{{ 'm' ~ x }}{% endmacro %}{{ 'a' + m(1) + 'b' ~ m(2) ~ 3 }}"),
    # Scopes and loop objects are reused by later loops and calls: each starts fresh (no
    # variable, `loop.changed` memory or items of an earlier one), and one a macro kept stays its own.
    ("reused_scopes_and_loops", "{% for i in [1, 1] %}{{ loop.changed(i) }}{% set t = i %}{% endfor %}|{% for i in [1] %}{{ loop.changed(i) }}{{ t is defined }}{{ loop.length }}{{ loop.previtem is defined }}{% endfor %}|{% macro f(a, b=2) %}{{ a }}{{ b }}{{ c is defined }}{% set c = 1 %}{% endmacro %}{{ f(1) }}{{ f(3, 4) }}{{ f(5) }}|{% for x in 'ab' %}{% macro g() %}{{ x }}{{ loop.index }}{% endmacro %}{% set ns = namespace(k=g) %}{{ g() }}{% endfor %}{% for y in 'cde' %}{{ y }}{% endfor %}|{% for a in [1, 2] %}{% for b in [3] %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }}{% endfor %}"),
]

for case_id, source in CASES:
    print(json.dumps({"id": case_id, "template": source, "context": {},
                      "expected": _compile_jinja_template(source).render()}, ensure_ascii=False))
