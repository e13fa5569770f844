#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/attack.jsonl: Jinja features published chat templates use (or could),
beyond corpus.jsonl, rendered by transformers 5.23's chat-template environment (`_compile_jinja_template`:
jinja2 3.1.6 ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, HF's tojson). Same line format as
corpus.jsonl: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.

Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_attack_corpus.py
"""
import json
import os
import sys

import jinja2
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template

M = [{"role": "system", "content": "S"}, {"role": "user", "content": "Hi é"}, {"role": "assistant", "content": "Yo", "tool_calls": [{"function": {"name": "f", "arguments": {"b": 2, "a": [1, "x"]}}}]}]
T = [{"type": "function", "function": {"name": "get", "parameters": {"type": "object", "properties": {"z": {"type": "string"}, "a": {"type": "integer"}}}}}]

CASES = [
    ("block_set", "{% set x %}a{{ 1 + 1 }}b{% endset %}[{{ x }}]", {}),
    ("block_set_trim", "{% set x -%}\n  a\n{%- endset %}[{{ x }}]", {}),
    ("loop_cycle", "{% for i in range(4) %}{{ loop.cycle('a', 'b') }}{% endfor %}", {}),
    ("loop_revindex", "{% for i in 'abc' %}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.length }}{% endfor %}", {}),
    ("loop_prev_next", "{% for m in messages %}{{ loop.previtem.role if loop.previtem else '-' }}>{{ loop.nextitem.role if loop.nextitem else '-' }} {% endfor %}", {"messages": M}),
    ("loop_changed", "{% for r in ['a','a','b'] %}{{ loop.changed(r) }}{% endfor %}", {}),
    ("loop_filter_else", "{% for m in messages if m.role == 'tool' %}x{% else %}none{% endfor %}", {"messages": M}),
    ("recursive_loop", "{% for k in tree recursive %}{{ k.n }}{% if k.c %}({{ loop(k.c) }}){% endif %}{{ loop.depth }}{% endfor %}", {"tree": [{"n": "a", "c": [{"n": "b", "c": []}]}, {"n": "c"}]}),
    ("for_unpack_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("dictsort", "{% for k, v in d | dictsort %}{{ k }}{{ v }}{% endfor %}|{% for k, v in d | dictsort(reverse=true) %}{{ k }}{% endfor %}", {"d": {"b": 1, "a": 2, "C": 3}}),
    ("filter_block", "{% filter upper %}hello {{ 'world' }}{% endfilter %}", {}),
    ("call_caller_args", "{% macro m() %}<{{ caller('x') }}>{% endmacro %}{% call(v) m() %}[{{ v }}]{% endcall %}", {}),
    ("macro_defaults_kwargs", "{% macro m(a, b='B', c=none) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }}|{{ m(1, c=3) }}|{{ m(a=2, b=none) }}", {}),
    ("macro_varargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}", {}),
    ("tojson_sort_keys", "{{ d | tojson(sort_keys=true) }}", {"d": {"b": 1, "a": {"d": 1, "c": 2}}}),
    ("tojson_separators", "{{ d | tojson(separators=(',', ':')) }}", {"d": {"b": [1, 2], "a": "é"}}),
    ("tojson_indent_unicode", "{{ messages[2] | tojson(indent=2) }}", {"messages": M}),
    ("tojson_tools", "{{ tools | tojson }}", {"tools": T}),
    ("tojson_float", "{{ [1.0, 0.1, 1e20, -0.0, 3] | tojson }}", {}),
    ("tojson_string_escapes", "{{ 'a\"b\\\\c\\n\\t\\u0001</script>' | tojson }}", {}),
    ("string_filter_dict", "{{ d | string }}", {"d": {"a": [1, None, True, "x'y"]}}),
    ("items_filter", "{% for k, v in d | items %}{{ k }}{{ v }}{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("unique_filter", "{{ ['a', 'A', 'b', 'a'] | unique | list }}", {}),
    ("batch_slice", "{{ [1,2,3,4,5] | batch(2) | list }}|{{ [1,2,3,4,5] | slice(2) | list }}", {}),
    ("sum_min_max", "{{ [3, 1, 2] | sum }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ [{'a': 2}, {'a': 5}] | sum(attribute='a') }}", {}),
    ("batch_fill", "{{ [1,2,3,4,5] | batch(3, 'x') | list }}|{{ [] | batch(2) | list }}|{{ 'abc' | batch(2) | list }}", {}),
    ("slice_fill", "{{ [1,2,3,4,5,6,7] | slice(3, 0) | list }}|{{ [1] | slice(3) | list }}", {}),
    ("truncate_variants", "{{ 'foo bar baz qux' | truncate(9) }}|{{ 'foo bar baz qux' | truncate(9, true) }}|{{ 'foo bar baz qux' | truncate(11) }}|{{ 'foo bar baz qux' | truncate(11, false, '…', 0) }}|{{ 'short' | truncate(3, leeway=2) }}|{{ 'héllo wörld again' | truncate(8, end='~', leeway=0) }}", {}),
    ("truncate_error", "{{ 'abc' | truncate(1) }}", {}),
    ("round_filter", "{{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.5 | round(0, 'floor') }} {{ 7 | round }}", {}),
    ("abs_int_float", "{{ -3 | abs }} {{ '42' | int }} {{ 'x' | int(7) }} {{ '3.5' | float }} {{ 3 | float }}", {}),
    ("truncate_wordcount", "{{ 'hello wide world' | truncate(9) }}|{{ 'a b  c' | wordcount }}", {}),
    ("center_filter", "[{{ 'ab' | center(7) }}]", {}),
    ("format_filter", "{{ '%s-%d-%.2f' | format('a', 3, 1.5) }}", {}),
    ("str_format_positional", "{{ '{} and {}'.format('a', 'b') }} {{ '{1}{0}'.format('a', 'b') }} {{ '{x}!'.format(x='y') }}", {}),
    ("str_format_spec", "{{ '{:>5}|'.format('a') }}", {}),
    ("percent_format_dict", "{{ '%(a)s/%(b)d' % {'a': 'x', 'b': 2} }}", {}),
    ("groupby_filter", "{% for g in messages | groupby('role') %}{{ g.grouper }}:{{ g.list | length }};{% endfor %}", {"messages": M + [{"role": "user", "content": "again"}]}),
    ("map_attribute_default", "{{ messages | map(attribute='name', default='?') | join(',') }}", {"messages": M}),
    ("selectattr_tests", "{{ messages | selectattr('role', 'in', ['user', 'system']) | map(attribute='content') | join('+') }}", {"messages": M}),
    ("rejectattr_defined", "{{ messages | rejectattr('tool_calls', 'defined') | list | length }}", {"messages": M}),
    ("select_odd", "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('divisibleby', 2) | list }}", {}),
    ("tests_misc", "{{ 3 is divisibleby 3 }} {{ none is none }} {{ 1 is number }} {{ 1.0 is float }} {{ true is boolean }} {{ 'a' is lower }} {{ [1] is sequence }} {{ {} is mapping }} {{ 1 is integer }} {{ f is callable }}", {"f": None}),
    ("test_sameas_eq", "{{ 1 is sameas 1 }} {{ 'a' is eq 'a' }} {{ 2 is gt 1 }} {{ 2 is le 1 }} {{ 'a' is in 'cat' }}", {}),
    ("test_filter_test_exists", "{{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'odd' is test }}", {}),
    ("default_boolean", "{{ '' | default('x') }}|{{ '' | default('x', true) }}|{{ none | default('n') }}|{{ missing | d('m') }}", {}),
    ("get_with_default", "{{ d.get('a') }} {{ d.get('z', 'dflt') }} {{ d.get('z') is none }}", {"d": {"a": 1}}),
    ("dict_methods", "{{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }}", {"d": {"b": 1, "a": 2}}),
    ("list_index_slice", "{{ l[1:] }} {{ l[::-1] }} {{ l[-2:] }} {{ l[:0] }} {{ 'héllo'[1:3] }} {{ 'abcdef'[::2] }}", {"l": [1, 2, 3]}),
    ("string_concat_mixed", "{{ 'a' ~ none ~ 1 ~ [1] ~ {'k': 'v'} }}", {}),
    ("string_multiply_join", "{{ '=' * 3 }}{{ ['a', 'b'] | join }}{{ [1, 2] | join('-') }}", {}),
    ("in_operators", "{{ 'role' in messages[0] }} {{ 'x' in messages[0] }} {{ 2 in [1, 2] }} {{ 'é' in 'café' }}", {"messages": M}),
    ("namespace_list_append", "{% set ns = namespace(items=[]) %}{% for m in messages %}{% set ns.items = ns.items + [m.role] %}{% endfor %}{{ ns.items }}", {"messages": M}),
    ("namespace_in_macro", "{% set ns = namespace(c=0) %}{% macro bump() %}{% set ns.c = ns.c + 1 %}{% endmacro %}{{ bump() }}{{ bump() }}{{ ns.c }}", {}),
    ("scope_for_set", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}", {}),
    ("scope_if_set", "{% if true %}{% set x = 5 %}{% endif %}{{ x }}", {}),
    ("ternary_chain", "{{ 'a' if false else 'b' if false else 'c' }}", {}),
    ("not_in_chain", "{{ not 'x' in 'abc' }} {{ 1 < 2 < 3 }} {{ 1 == 1 == 1 }}", {}),
    ("math_mixed", "{{ 7 // -2 }} {{ -7 % 3 }} {{ 2 ** -1 }} {{ 10 / 4 }} {{ 3 * 'ab' }} {{ 1 + 2.0 }}", {}),
    ("string_methods_more", "{{ 'a,b,,c'.split(',') }} {{ '  x  '.strip() }} {{ 'Hello'.startswith(('He', 'x')) }} {{ 'abc'.endswith('bc') }} {{ 'hello world'.title() }} {{ 'x'.join(['1', '2']) }} {{ 'aXbX'.rstrip('X') }} {{ 'ab'.upper() }}", {}),
    ("split_whitespace", "{{ ' a \\t b\\n c '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }}", {}),
    ("strip_chars", "{{ '<<x>>'.strip('<>') }} {{ '\\n\\nx'.lstrip('\\n') }}", {}),
    ("find_count", "{{ 'banana'.find('an') }} {{ 'banana'.rfind('an') }} {{ 'banana'.count('a') }} {{ 'banana'.index('n') }}", {}),
    ("raise_exception", "{{ raise_exception('bad ' ~ 1) }}", {}),
    ("undefined_attr_chain_test", "{{ a.b is defined }} {{ a is undefined }}", {}),
    ("undefined_iteration", "{% for x in nothing %}x{% endfor %}ok", {}),
    ("undefined_length_error", "{{ nothing | length }}", {}),
    ("undefined_compare_error", "{{ nothing > 1 }}", {}),
    ("none_iteration_error", "{% for x in n %}{% endfor %}", {"n": None}),
    ("attr_on_none_error", "{{ n.x.y }}", {"n": None}),
    ("int_plus_str_error", "{{ 1 + 'a' }}", {}),
    ("sandbox_format_attr_error", "{{ ''.__class__ }}", {}),
    ("sandbox_mro_error", "{{ ().__class__.__mro__ }}", {}),
    ("list_append_immutable_error", "{% set l = [] %}{{ l.append(1) }}{{ l }}", {}),
    ("dict_pop_immutable_error", "{% set d = {'a': 1} %}{{ d.pop('a') }}", {}),
    ("strftime_now", "{{ strftime_now('%Y') | length }}", {}),
    ("whitespace_lstrip_comment", "a\n    {# c #}\nb\n  {%- if true %} x {% endif -%}\n  c", {}),
    ("whitespace_raw_lstrip", "  {% raw %}  {{ x }}{% endraw %}\n", {}),
    ("whitespace_trailing_newline_kept", "x\n", {}),
    ("whitespace_crlf_trim_blocks", "{% if true %}\r\nA{% endif %}\r\nB", {}),
    ("unicode_identifiers_in_strings", "{{ '日本' ~ \"\\u00e9\" ~ '\\U0001F600' }}", {}),
    ("string_escape_sequences", "{{ 'a\\x41\\101\\N{BULLET}' }}", {}),
    ("integer_literals", "{{ 1_000 }} {{ 0x10 }} {{ 0o10 }} {{ 0b10 }} {{ 1e3 }} {{ 1E-2 }}", {}),
    ("bool_none_literals", "{{ True }} {{ false }} {{ None }} {{ none is none }} {{ TRUE is defined }}", {}),
    ("nested_quotes_tojson_in_string", "{{ '{\"a\": ' ~ ({'b': 'c'} | tojson) ~ '}' }}", {}),
    ("list_of_parts_loop", "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{{ p.text if p.type == 'text' else '<' ~ p.type ~ '>' }}{% endfor %}{% endif %}|{% endfor %}", {"messages": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "t"}]}, {"role": "assistant", "content": "a"}]}),
    ("messages_index_loop", "{% for i in range(messages | length) %}{{ messages[i].role[0] }}{{ i }}{% endfor %}", {"messages": M}),
    ("reverse_filter", "{{ messages | reverse | map(attribute='role') | join(',') }} {{ 'abc' | reverse }}", {"messages": M}),
    ("sort_filter", "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'a'] | sort }} {{ ['b', 'A', 'a'] | sort(case_sensitive=true) }} {{ messages | sort(attribute='role') | map(attribute='role') | join }}", {"messages": M}),
    ("first_last_on_string", "{{ 'abc' | first }}{{ 'abc' | last }}{{ [] | first is undefined }}", {}),
    ("length_of_dict_string", "{{ {'a': 1} | length }} {{ 'héllo' | length }} {{ 'héllo' | count }}", {}),
    ("indent_filter", "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(2, blank=true) }}", {}),
    ("trim_chars", "{{ 'xxaxx' | trim('x') }}", {}),
    ("replace_count_filter", "{{ 'aaa' | replace('a', 'b', 2) }}", {}),
    ("title_capitalize_filters", "{{ 'hello-world foo' | title }} {{ 'hELLO' | capitalize }} {{ 'Ab' | lower }}{{ 'Ab' | upper }}", {}),
    ("list_filter_string", "{{ 'ab' | list }} {{ {'a': 1} | list }}", {}),
    ("attr_filter", "{{ d | attr('a') }}|{{ d | attr('zz') }}|", {"d": {"a": 1}}),
    ("join_attribute", "{{ messages | join(', ', attribute='role') }}", {"messages": M}),
    ("wordwrap_filter", "{{ 'a b c d e f' | wordwrap(3) }}", {}),
    ("pprint_filter", "{{ {'a': 1} | pprint }}", {}),
    ("safe_escape", "{{ '<b>' | safe }}{{ '<b>' | e }}{{ '<b>' | escape }}", {}),
]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jinja")
    seen = set()
    with open(os.path.join(root, "attack.jsonl"), "w", encoding="utf-8") as out:
        for case_id, template, context in CASES:
            assert case_id not in seen, case_id
            seen.add(case_id)
            record = {"id": case_id, "template": template, "context": context}
            try:
                record["expected"] = _compile_jinja_template(template).render(**context)
            except Exception as error:
                record["error"] = type(error).__name__
                record["message"] = str(error)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases (transformers {transformers.__version__}, jinja2 {jinja2.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
