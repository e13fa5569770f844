#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/corpus.jsonl: Jinja cases rendered by transformers' own chat-template
environment (transformers 5.23 `_compile_jinja_template`: jinja2 3.1.6 ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks, loopcontrols, the generation tracker, HF's tojson/raise_exception/strftime_now).

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error": <exception type>},
plus "generations": [[start, end], ...] from `_render_with_assistant_indices` when the template has
{% generation %}. Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_corpus.py
"""
import json
import re
import os
import sys

import jinja2
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template, _render_with_assistant_indices

MSGS = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "Hi there"},
    {"role": "assistant", "content": "Hello! How can I help?"},
    {"role": "user", "content": "Tell me a joke"},
]
D = {"a": 1, "b": "two", "c": [1, 2, 3], "d": {"x": 1.5, "y": None}, "e": True, "name": "héllo wörld"}

CASES = [
    # --- text and whitespace control
    ("text_plain", "hello world", {}),
    ("text_trailing_newline", "hello\n", {}),
    ("text_two_trailing_newlines", "hello\n\n", {}),
    ("text_crlf", "a\r\nb\rc\n", {}),
    ("text_unicode_line_sep", "a\u2028b", {}),
    ("ws_trim_blocks", "{% if true %}\nyes\n{% endif %}\nend", {}),
    ("ws_lstrip_blocks", "  {% if true %}\n  yes\n  {% endif %}\nend", {}),
    ("ws_lstrip_midline", "a  {% if true %}b{% endif %}", {}),
    ("ws_lstrip_after_var", "{{ 'x' }}  {% if true %}b{% endif %}", {}),
    ("ws_minus_left", "a   \n  {%- if true %}b{% endif %}", {}),
    ("ws_minus_right", "{% if true -%}   \n  b{% endif %}", {}),
    ("ws_var_minus", "a  {{- 'b' -}}  c", {}),
    ("ws_plus_lstrip", "  {%+ if true %}b{% endif %}", {}),
    ("ws_plus_trim", "{% if true +%}\nb{% endif %}", {}),
    ("ws_comment", "a\n  {# note #}\nb", {}),
    ("ws_comment_minus", "a  {#- note -#}  b", {}),
    ("ws_var_no_trim", "{{ 'a' }}\nb", {}),
    ("ws_nested_loop", "{% for m in messages %}\n  {% if m.role == 'user' %}\n    U:{{ m.content }}\n  {% endif %}\n{% endfor %}", {"messages": MSGS}),
    ("ws_raw", "{% raw %}{{ not rendered }}{% endraw %}", {}),
    ("ws_raw_minus", "x  {%- raw -%}  {{ a }}  {%- endraw -%}  y", {}),
    ("ws_raw_newline", "{% raw %}\na\n{% endraw %}\nb", {}),
    ("ws_tab_lstrip", "\t{% if true %}x{% endif %}", {}),
    # --- expressions
    ("expr_int_ops", "{{ 7 + 3 }} {{ 7 - 10 }} {{ 7 * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }}", {}),
    ("expr_float_ops", "{{ 1.5 + 1 }} {{ 0.1 + 0.2 }} {{ 1e-5 }} {{ 1e16 }} {{ 1e15 }} {{ 10 / 4 }} {{ 4 / 2 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}", {}),
    ("expr_float_repr", "{{ 3.0 }} {{ 1/3 }} {{ 123456789.123 }} {{ 0.0001 }} {{ 0.00001 }} {{ 2.5e20 }}", {}),
    ("expr_concat", "{{ 'a' ~ 1 ~ none ~ true ~ 1.5 }}", {}),
    ("expr_str_plus", "{{ 'a' + 'b' }}", {}),
    ("expr_list_plus", "{{ [1] + [2, 3] }}", {}),
    ("expr_str_times", "{{ 'ab' * 3 }}", {}),
    ("expr_compare", "{{ 1 < 2 }} {{ 2 <= 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ 1 != 2 }} {{ 3 > 2 > 1 }} {{ [1,2] < [1,3] }}", {}),
    ("expr_in", "{{ 'a' in 'cat' }} {{ 2 in [1,2] }} {{ 'x' in {'x': 1} }} {{ 'z' not in 'cat' }} {{ 3 not in [1] }}", {}),
    ("expr_and_or", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ none or [] }} {{ not 0 }} {{ not 'a' }}", {}),
    ("expr_conditional", "{{ 'yes' if x else 'no' }} {{ 'yes' if not x else 'no' }}", {"x": True}),
    ("expr_conditional_no_else", "[{{ 'yes' if x }}]", {"x": False}),
    ("expr_list_literal", "{{ [1, 'a', none, true, 2.5, [3]] }}", {}),
    ("expr_dict_literal", "{{ {'a': 1, 'b': 'x'} }}", {}),
    ("expr_tuple", "{{ (1, 2)[1] }}", {}),
    ("expr_str_repr_quotes", "{{ [\"it's\", 'say \"hi\"', 'a\\nb'] }}", {}),
    ("expr_none_render", "{{ none }}|{{ true }}|{{ false }}", {}),
    ("expr_string_escapes", "{{ 'a\\tb\\\\c\\u00e9\\x41' }}", {}),
    ("expr_adjacent_strings", "{{ 'a' 'b' }}", {}),
    ("expr_negative", "{{ -3 }} {{ -(2 + 3) }} {{ - 1.5 }}", {}),
    ("expr_precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ 1 ~ (2 + 3) }} {{ 'a' ~ 1 * 2 }}", {}),
    ("expr_filter_precedence", "{{ -1|abs }} {{ 'ab'|upper ~ 'c' }}", {}),
    ("expr_attr_dict", "{{ d.a }} {{ d['b'] }} {{ d.c[1] }} {{ d.d.x }}", {"d": D}),
    ("expr_missing_attr", "[{{ d.missing }}]", {"d": D}),
    ("expr_missing_index", "[{{ d.c[10] }}]", {"d": D}),
    ("expr_negative_index", "{{ d.c[-1] }} {{ 'abc'[-1] }}", {"d": D}),
    ("expr_dot_int", "{{ d.c.0 }}", {"d": D}),
    ("expr_item_method_fallback", "{{ d['items'] is defined }}", {"d": {"a": 1}}),
    ("expr_none_attr", "[{{ n.x }}]", {"n": None}),
    # --- slicing
    ("slice_list", "{{ l[1:] }} {{ l[:2] }} {{ l[::2] }} {{ l[::-1] }} {{ l[-2:] }} {{ l[1:-1] }} {{ l[5:] }}", {"l": [1, 2, 3, 4, 5]}),
    ("slice_string", "{{ s[1:] }} {{ s[:3] }} {{ s[::-1] }} {{ s[-3:] }}", {"s": "héllo wörld"}),
    ("slice_negative_step", "{{ l[3:0:-1] }} {{ l[-1:-4:-1] }} {{ l[::-2] }}", {"l": [1, 2, 3, 4, 5]}),
    ("slice_messages", "{% for m in messages[1:] %}{{ m.role }},{% endfor %}", {"messages": MSGS}),
    ("string_index_unicode", "{{ s[1] }} {{ s|length }}", {"s": "h\U0001F600llo"}),
    # --- statements
    ("if_elif_else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %},{% endfor %}", {}),
    ("for_loop_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {}),
    ("for_previtem", "{% for x in [1,2,3] %}[{{ loop.previtem }}|{{ loop.nextitem }}]{% endfor %}", {}),
    ("for_cycle", "{% for x in [1,2,3] %}{{ loop.cycle('a', 'b') }}{% endfor %}", {}),
    ("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}", {}),
    ("for_filter", "{% for x in [1,2,3,4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}", {}),
    ("for_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("for_unpack_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"a": 1, "b": [2]}}),
    ("for_dict_keys", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"z": 1, "a": 2}}),
    ("for_undefined", "[{% for x in nothing %}x{% endfor %}]", {}),
    ("for_nested_loop_var", "{% for a in [1,2] %}{% for b in [3,4] %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}", {}),
    ("for_scope", "{% set x = 1 %}{% for i in [1,2] %}{{ x }}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}", {}),
    ("for_tuple_target_paren", "{% for (a, b) in [[1,2],[3,4]] %}{{ a }}{{ b }}{% endfor %}", {}),
    ("set_simple", "{% set x = 'hi' %}{{ x }}", {}),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", {}),
    ("set_block", "{% set x %}inner {{ 1 + 1 }}{% endset %}[{{ x }}]", {}),
    ("set_block_filter", "{% set x | upper %}abc{% endset %}{{ x }}", {}),
    ("set_in_if", "{% if true %}{% set x = 5 %}{% endif %}{{ x }}", {}),
    ("namespace", "{% set ns = namespace(found=false, n=0) %}{% for x in [1,2,3] %}{% set ns.n = ns.n + x %}{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }}", {}),
    ("namespace_missing_attr", "[{{ namespace().x }}]", {}),
    ("macro_basic", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }} {{ greet(name='Z') }}", {}),
    ("macro_missing_arg", "{% macro f(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}{{ f(1) }}", {}),
    ("macro_caller", "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inside{% endcall %}", {}),
    ("macro_caller_args", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1,2]) %}({{ x }}){% endcall %}", {}),
    ("macro_recursive", "{% macro f(n) %}{{ n }}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", {}),
    ("macro_global_access", "{% set g = 'G' %}{% macro f() %}{{ g }}{{ bos_token }}{% endmacro %}{{ f() }}", {"bos_token": "<s>"}),
    ("macro_varargs", "{% macro f(a) %}{{ a }}{{ varargs|list }}{{ kwargs }}{% endmacro %}{{ f(1, 2, 3, k=4) }}", {}),
    ("macro_whitespace", "{% macro f(x) %}\n  {{ x }}\n{% endmacro %}\n[{{ f(1) }}]", {}),
    ("filter_block", "{% filter upper %}hello {{ 'x' }}{% endfilter %}", {}),
    ("filter_block_chain", "{% filter trim|upper %}  hi  {% endfilter %}", {}),
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("generation_block", "{% for m in messages %}{{ m.role }}: {% if m.role == 'assistant' %}{% generation %}{{ m.content }}<end>{% endgeneration %}{% else %}{{ m.content }}{% endif %}\n{% endfor %}", {"messages": MSGS}),
    ("generation_unicode", "é😀{% generation %}ö😀x{% endgeneration %}y", {}),
    ("raise_exception", "{% if x %}{{ raise_exception('bad input: ' ~ x) }}{% endif %}", {"x": "boom"}),
    ("strftime_literal", "{{ strftime_now('%%') }}", {}),
    ("range_too_big_fails_fast", "{{ range(1000000000000000000) | length }}", {}),
    ("range_forms", "{{ range(3)|list }} {{ range(1, 4)|list }} {{ range(0, 10, 3)|list }} {{ range(5, 0, -2)|list }}", {}),
    ("dict_global", "{{ dict(a=1, b=2) }}", {}),
    ("joiner_global", "{% set sep = joiner(' | ') %}{% for x in ['a', 'b', 'c'] %}{{ sep() }}{{ x }}{% endfor %}", {}),
    ("cycler_global", "{% set c = cycler('odd', 'even') %}{% for x in [1, 2, 3] %}{{ c.next() }}/{{ c.current }};{% endfor %}{{ c.reset() }}{{ c.current }}", {}),
    # --- filters
    ("f_trim", "[{{ '  a b \\n'|trim }}] [{{ 'xxaxx'|trim('x') }}]", {}),
    ("f_tojson_basic", "{{ d|tojson }}", {"d": D}),
    ("f_tojson_unicode", "{{ 'é\"\\\\\\n\\t<>&\\u2028'|tojson }}", {}),
    ("f_tojson_indent", "{{ d|tojson(indent=2) }}", {"d": D}),
    ("f_tojson_indent_str", "{{ [1, {'a': []}]|tojson(indent='\\t') }}", {}),
    ("f_tojson_sort", "{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}", {}),
    ("f_tojson_separators", "{{ d|tojson(separators=(',', ':')) }}", {"d": D}),
    ("f_tojson_ascii", "{{ 'é😀'|tojson(ensure_ascii=true) }}", {}),
    ("f_tojson_floats", "{{ [1.0, 0.5, 1e-7, 1e22, 100.0, -0.0, 3] |tojson }}", {}),
    ("f_tojson_empty", "{{ [[], {}]|tojson(indent=2) }}", {}),
    ("f_tojson_tools", "{% for t in tools %}{{ t|tojson }}\n{% endfor %}", {"tools": [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": {"type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Zürich"]}}, "required": ["city"]}}}]}),
    ("f_length", "{{ 'héllo'|length }} {{ [1,2]|length }} {{ {'a':1}|length }} {{ x|length }} {{ 'ab'|count }}", {}),
    ("f_list", "{{ 'abc'|list }} {{ {'a': 1}|list }}", {}),
    ("f_items", "{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %}", {"d": {"a": 1, "b": 2}}),
    ("f_join", "{{ [1, 'a', none]|join(', ') }} {{ 'abc'|join('-') }} {{ [{'n': 'x'}, {'n': 'y'}]|join('/', attribute='n') }}", {}),
    ("f_default", "{{ x|default('dflt') }} {{ none|default('dflt') }} {{ ''|default('dflt', true) }} {{ 0|d('z', boolean=true) }} {{ 'v'|d('z') }}", {}),
    ("f_case", "{{ 'hÉllo'|upper }} {{ 'HÉLLO'|lower }} {{ 'hello world-foo(bar)'|title }} {{ 'hELLO wORLD'|capitalize }}", {}),
    ("f_title_apostrophe", "{{ \"they're bill's\"|title }}", {}),
    ("f_replace", "{{ 'aaa'|replace('a', 'b') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ 'abc'|replace('', '-') }}", {}),
    ("f_first_last", "{{ [1,2,3]|first }} {{ [1,2,3]|last }} {{ 'abc'|first }} [{{ []|first }}]", {}),
    ("f_selectattr", "{% for m in messages|selectattr('role', 'equalto', 'user') %}{{ m.content }};{% endfor %}", {"messages": MSGS}),
    ("f_selectattr_truthy", "{{ [{'a': 1}, {'a': 0}, {'b': 1}]|selectattr('a')|list }}", {}),
    ("f_rejectattr", "{{ messages|rejectattr('role', 'eq', 'user')|map(attribute='role')|list }}", {"messages": MSGS}),
    ("f_select_reject", "{{ [1,2,3,4]|select('odd')|list }} {{ [1,2,3,4]|reject('odd')|list }} {{ [0, 1, '', 'a']|select|list }} {{ [1,5,9]|select('gt', 4)|list }}", {}),
    ("f_map", "{{ ['a','b']|map('upper')|list }} {{ [{'x': 1}, {}]|map(attribute='x', default=0)|list }} {{ [' a ']|map('trim')|join }}", {}),
    ("f_map_nested_attr", "{{ [{'f': {'n': 'a'}}]|map(attribute='f.n')|list }}", {}),
    ("f_indent", "{{ 'a\\nb\\n\\nc'|indent(2) }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'a\\nb'|indent('> ') }}", {}),
    ("f_string", "{{ 1|string ~ [1]|string }} {{ none|string }}", {}),
    ("f_int_float", "{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ '1.5'|float }} {{ 2|float }} {{ 'ff'|int(base=16) }} {{ true|int }}", {}),
    ("f_abs_round", "{{ -3|abs }} {{ -2.5|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.567|round(2) }} {{ 2.1|round(method='ceil') }} {{ 2.9|round(0, 'floor') }} {{ 7|round }}", {}),
    ("f_unique", "{{ [1, 2, 1, 3, 2]|unique|list }} {{ ['a', 'A', 'b']|unique|list }} {{ ['a', 'A']|unique(case_sensitive=true)|list }}", {}),
    ("f_sort", "{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ [3,1,2]|sort(reverse=true) }} {{ [{'n': 2}, {'n': 1}]|sort(attribute='n') }}", {}),
    ("f_reverse", "{{ [1,2,3]|reverse|list }} {{ 'abc'|reverse }}", {}),
    ("f_dictsort", "{{ {'b': 1, 'A': 2, 'c': 0}|dictsort|map('join', ':')|join(',') }} {{ {'b': 1, 'a': 2}|dictsort(by='value')|map('first')|list }} {% for k, v in {'b': 1, 'a': 2}|dictsort(reverse=true) %}{{ k }}{{ v }}{% endfor %}", {}),
    ("f_safe_escape", "{{ '<a>'|safe }} {{ '<a href=\"x\">&\\''|e }} {{ '<b>'|escape }}", {}),
    ("f_wordcount", "{{ 'hello big  world, foo_bar 42'|wordcount }}", {}),
    ("f_center", "[{{ 'ab'|center(7) }}] [{{ 'abc'|center(6) }}]", {}),
    ("f_format", "{{ '%s-%d'|format('a', 3) }} {{ '%05.2f'|format(3.14159) }}", {}),
    ("f_sum_min_max", "{{ [1,2,3]|sum }} {{ [{'v': 2}, {'v': 5}]|sum(attribute='v') }} {{ [3,1,2]|min }} {{ ['b', 'A']|max }}", {}),
    ("f_attr", "{% set ns = namespace(x=1) %}{{ ns|attr('x') }} [{{ {'a': 1}|attr('a') }}]", {}),
    ("err_concat_precedence", "{{ 1 ~ 2 + 3 }}", {}),
    ("f_chain", "{{ messages|map(attribute='content')|select('string')|map('length')|list }}", {"messages": MSGS}),
    # --- tests
    ("t_defined", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ d.a is defined }} {{ d.zz is defined }}", {"x": 1, "d": D}),
    ("t_types", "{{ none is none }} {{ 'a' is string }} {{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ {} is mapping }} {{ [] is mapping }}", {}),
    ("t_iterable_sequence", "{{ [] is iterable }} {{ 'a' is iterable }} {{ 1 is iterable }} {{ {} is sequence }} {{ 1 is sequence }} {{ x is iterable }}", {}),
    ("t_boolean", "{{ true is boolean }} {{ 1 is boolean }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }}", {}),
    ("t_callable", "{{ range is callable }} {{ 'a'.upper is callable }} {{ 'a' is callable }}", {}),
    ("t_odd_even_div", "{{ 3 is odd }} {{ 3 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }}", {}),
    ("t_compare", "{{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is gt 1 }} {{ 2 is le 2 }} {{ 2 is ge 3 }}", {}),
    ("t_in_sameas", "{{ 1 is in [1,2] }} {{ 'x' is in 'xyz' }} {{ none is sameas none }} {{ true is sameas true }} {{ 1 is sameas true }}", {}),
    ("t_lower_upper", "{{ 'abc' is lower }} {{ 'aBc' is lower }} {{ 'ABC' is upper }} {{ '1' is upper }}", {}),
    ("t_not", "{{ 1 is not none }} {{ x is not defined }}", {}),
    ("t_not_precedence", "{{ not x is defined }}", {}),
    # --- methods
    ("m_strip", "[{{ '  a  '.strip() }}][{{ '  a  '.lstrip() }}][{{ '  a  '.rstrip() }}][{{ 'xxaxx'.strip('x') }}][{{ '\\n a\\t'.strip() }}]", {}),
    ("m_split", "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a b c'.split(' ', 1) }} {{ '  a  b '.split(none, 1) }} {{ 'a<sep>b'.split('<sep>')[1] }}", {}),
    ("m_rsplit", "{{ 'a,b,c'.rsplit(',', 1) }} {{ ' a b c '.rsplit(none, 1) }}", {}),
    ("m_startswith", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ 'hello'.endswith('x') }} {{ 'hello'.startswith('l', 2) }}", {}),
    ("m_replace_case", "{{ 'a-b-c'.replace('-', '+') }} {{ 'a-b-c'.replace('-', '+', 1) }} {{ 'Ab'.lower() }} {{ 'Ab'.upper() }} {{ \"it's a dog\".title() }} {{ 'hELLO'.capitalize() }}", {}),
    ("m_find_count", "{{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'hello'.count('l') }} {{ 'héllo'.index('l') }}", {}),
    ("m_join_format", "{{ ', '.join(['a', 'b']) }} {{ '{} and {}'.format('x', 1) }} {{ '{0}{name}'.format('a', name='b') }}", {}),
    ("m_dict", "{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }} {{ d.keys()|list }} {{ d.values()|list }} {% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}", {"d": {"a": 1, "b": 2}}),
    ("m_splitlines", "{{ 'a\\nb\\r\\nc'.splitlines() }}", {}),
    ("m_is", "{{ '123'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }} {{ 'ab'.islower() }} {{ 'AB'.isupper() }}", {}),
    ("m_list_index", "{{ [1,2,3].index(2) }} {{ [1,2,2].count(2) }}", {}),
    ("m_method_chain", "{{ ' A b '.strip().lower().split(' ') }}", {}),
    ("m_content_split_think", "{{ c.split('</think>')[-1].lstrip('\\n') }}|{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}", {"c": "<think>\nreasoning here\n</think>\n\nThe answer."}),
    # --- message-shaped templates
    ("chatml", "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}", {"messages": MSGS, "add_generation_prompt": True}),
    ("loop_messages_system_split", "{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% set loop_messages = messages[1:] %}{% else %}{% set loop_messages = messages %}{% endif %}{% if system_message is defined %}[SYS]{{ system_message }}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{{ message['role'] }}:{{ message['content'] | trim }}\n{% endfor %}", {"messages": MSGS}),
    ("alternation_error", "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}{% endfor %}", {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}),
    ("content_parts", "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for part in m.content %}{% if part.type == 'text' %}{{ part.text }}{% elif part.type == 'image' %}<img>{% endif %}{% endfor %}{% endif %}|{% endfor %}", {"messages": [{"role": "user", "content": [{"type": "text", "text": "Look:"}, {"type": "image"}, {"type": "text", "text": " ok"}]}, {"role": "assistant", "content": "Nice"}]}),
    ("tool_calls", "{% for m in messages %}{% if m.tool_calls is defined %}{% for tc in m.tool_calls %}{% set f = tc.function if tc.function is defined else tc %}<tool_call>{\"name\": \"{{ f.name }}\", \"arguments\": {{ f.arguments|tojson }}}</tool_call>{% endfor %}{% endif %}{% endfor %}", {"messages": [{"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}]}]}),
    ("last_query_index", "{% set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}{% for message in messages[::-1] %}{% set index = (messages|length - 1) - loop.index0 %}{% if ns.multi_step_tool and message.role == 'user' and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}{% set ns.multi_step_tool = false %}{% set ns.last_query_index = index %}{% endif %}{% endfor %}{{ ns.last_query_index }}", {"messages": MSGS}),
    # --- errors
    ("err_undefined_call", "{{ nothing() }}", {}),
    ("err_undefined_attr", "{{ nothing.attr }}", {}),
    ("err_undefined_nested", "{{ d.missing.attr }}", {"d": D}),
    ("err_undefined_add", "{{ nothing + 1 }}", {}),
    ("err_undefined_index", "{{ nothing[0] }}", {}),
    ("err_type_add", "{{ 1 + 'a' }}", {}),
    ("err_syntax_unclosed", "{% if x %}a", {}),
    ("err_syntax_tag", "{% frobnicate %}", {}),
    ("err_syntax_expr", "{{ 1 + }}", {}),
    ("err_unknown_filter", "{{ 1|nosuchfilter }}", {}),
    ("err_append", "{% set l = [] %}{{ l.append(1) }}", {}),
    ("err_dict_update", "{% set d = {} %}{{ d.update({'a': 1}) }}", {}),
    ("err_raise", "{{ raise_exception('No system message allowed') }}", {}),
    ("err_tojson_undefined", "{{ nothing|tojson }}", {}),
    ("err_not_iterable", "{% for x in 5 %}{% endfor %}", {}),
    ("err_namespace_underscore", "{% set ns = namespace() %}{% set ns._x = 1 %}", {}),
    ("err_set_attr_non_namespace", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("err_compare_types", "{{ 1 < 'a' }}", {}),
    ("err_division_zero", "{{ 1 / 0 }}", {}),
    ("err_unpack", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("err_include", "{% include 'other.jinja' %}", {}),
    ("err_none_iter", "{% for x in none %}{% endfor %}", {}),
    ("err_break_outside", "{% break %}", {}),
    ("err_unclosed_var", "{{ x", {}),
    ("err_unclosed_comment", "{# x", {}),
    ("err_endfor_without", "{% endfor %}", {}),
]


def render(template, context):
    compiled = _compile_jinja_template(template)
    if re.search(r"\{%-?\s*generation\s*-?%\}", template):
        text, spans = _render_with_assistant_indices(compiled, context.get("messages", []), None, None, False,
                                                     **{k: v for k, v in context.items() if k != "messages"})
        return text, [list(s) for s in spans]
    return compiled.render(**context), None


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jinja")
    os.makedirs(root, exist_ok=True)
    seen = set()
    with open(os.path.join(root, "corpus.jsonl"), "w", encoding="utf-8") as out:
        for case_id, template, context in CASES:
            assert case_id not in seen, case_id
            seen.add(case_id)
            record = {"id": case_id, "template": template, "context": context}
            try:
                text, spans = render(template, context)
                record["expected"] = text
                if spans is not None:
                    record["generations"] = spans
            except Exception as error:  # the case expects an error
                record["error"] = type(error).__name__
                record["message"] = str(error)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases (transformers {transformers.__version__}, jinja2 {jinja2.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
