#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/filter-sweep.jsonl: jinja2's built-in filters and tests with the
arguments templates pass them (`map(attribute=..., default=...)`, dotted attribute paths through
lists, `selectattr(..., 'in', ...)`, `sort(attribute='a,b', reverse=...)`, `unique(attribute=)`,
`min`/`max(attribute=)`, `batch`, `slice`, `indent(first=, blank=)`, `round` methods,
`filesizeformat`, `join(attribute=)`, `xmlattr`, `attr`, `truncate`, `%`-formatting, arithmetic
corners) over a conversation's messages, rendered by transformers 5.23's chat-template environment
(jinja2 3.1.6). `groupby`, `wordwrap` and `pprint` are in the file too: Collate refuses them by name
(no published template uses them), and its test checks that refusal.

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_filter_sweep_goldens.py
"""
from _jinja_goldens import write_cases

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi", "name": "al"},
        {"role": "assistant", "content": "Hello", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]},
        {"role": "tool", "content": "42"}, {"role": "user", "content": "Bye"}]
TEMPLATES = [
    ("map_attribute_default", "{{ messages | map(attribute='name', default='anon') | list }}"),
    ("selectattr_in", "{{ messages | selectattr('role', 'in', ['user', 'tool']) | map(attribute='content') | join('|') }}"),
    ("select_string_map_upper", "{{ messages | map(attribute='content') | select('string') | map('upper') | list }}"),
    ("rejectattr_truthy", "{{ messages | rejectattr('tool_calls') | list | length }}"),
    ("attr_on_dict", "{{ messages | selectattr('tool_calls', 'defined') | first | attr('role') }}|{{ messages | last | attr('content') }}"),
    ("sum", "{{ [3, 1, 2] | sum }} {{ [[1], [2]] | sum(start=[]) }} {{ messages | map(attribute='content') | map('length') | sum }}"),
    ("min_max_attribute", "{{ messages | min(attribute='role') | tojson }} {{ messages | max(attribute='content', case_sensitive=true) | tojson }}"),
    ("sort_two_attributes", "{{ messages | sort(attribute='role,content') | map(attribute='content') | list }}"),
    ("sort_reverse", "{{ messages | sort(attribute='role', reverse=true) | map(attribute='role') | list }}"),
    ("unique_attribute", "{{ messages | unique(attribute='role') | map(attribute='role') | list }}"),
    ("batch_fill", "{{ messages | batch(2, 'x') | map('length') | list }} {{ [1, 2, 3] | batch(2, 0) | list }}"),
    ("slice", "{{ messages | slice(2) | map('length') | list }} {{ [1, 2, 3, 4, 5] | slice(3, 'f') | list }}"),
    ("indent_options", "{{ 'a\\n\\nb\\n c' | indent(4, first=true, blank=true) | tojson }} {{ 'a\\n\\nb' | indent('> ') | tojson }}"),
    ("round_methods", "{{ 3.14159 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round(0, 'floor') }} {{ -2.5 | round(0, 'ceil') }} {{ 7 | round }}"),
    ("abs", "{{ -3 | abs }} {{ -2.5 | abs }} {{ true | abs }}"),
    ("join_attribute", "{{ messages | join(', ', attribute='role') }}"),
    ("items_of_message", "{{ messages[1] | items | list }}"),
    ("default_variants", "{{ none | default('d') }} {{ '' | default('e', true) }} {{ missing | d('f') }} {{ false | default('g') }}"),
    ("map_tojson", "{{ messages | map('tojson') | first }}"),
    ("selectattr_equalto_count", "{{ messages | selectattr('content', 'equalto', 'Hi') | list | count }}"),
    ("select_ne", "{{ messages | map(attribute='role') | select('ne', 'user') | list }}"),
    ("select_tests", "{{ [1, 2, 3] | select('odd') | list }} {{ [1, 2, 3] | reject('even') | list }} {{ range(10) | select('divisibleby', 3) | list }}"),
    ("map_dotted_path_missing", "{{ messages | map(attribute='tool_calls.0.function.name') | list }}"),
    ("map_dotted_path", "{{ messages | selectattr('tool_calls', 'defined') | map(attribute='tool_calls.0.function.name') | list }}"),
    ("selectattr_dotted_gt", "{{ messages | selectattr('tool_calls', 'defined') | selectattr('tool_calls.0.function.arguments.x', 'gt', 0) | map(attribute='role') | list }}"),
    ("sort_dicts_case", "{{ [{'a': 2}, {'a': 1}] | sort(attribute='a') }} {{ ['B', 'a', 'C'] | sort }} {{ ['B', 'a', 'C'] | sort(case_sensitive=true) }}"),
    ("text_filters", "{{ 'hello world' | wordcount }} {{ 'x' | center(5) | tojson }}"),
    ("list_reverse", "{{ 'abc' | list | reverse | join }} {{ [1, [2, 3]] | list }}"),
    ("map_conversions", "{{ [1, 2] | map('string') | join }} {{ ['1', '2'] | map('int') | sum }} {{ [1.5, 2] | map('round') | list }}"),
    ("map_length_max", "{{ messages | map(attribute='content') | map('length') | max }}"),
    ("arithmetic_corners", "{{ 'x' * 3 }} {{ [1] * 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ 2 ** -1 }} {{ 1e2 }} {{ 10 / 4 }} {{ -7.5 // 2 }} {{ 7.5 % 2 }}"),
    ("percent_format", "{{ '%s-%d-%.1f-%r-%x-%05.1f-%+d-%e' % ('a', 3, 2.25, 'q', 255, 3.14159, 5, 12345.678) }}"),
    ("truncate_variants", "{{ 'abc' | truncate(2, true, '') }} {{ 'hello world foo' | truncate(9) }} {{ 'hello world foo bar' | truncate(9, false, '…', 0) }}"),
    ("tojson_indent_length", "{{ messages | tojson(indent=1) | length }}"),
    ("loop_filters", "{% for m in messages | selectattr('role', 'equalto', 'user') %}{{ loop.index }}/{{ loop.length }}:{{ m.content }}{{ loop.cycle('|', ';') }}{% endfor %}"),
    ("refused_groupby", "{{ messages | groupby('role') | map(attribute='grouper') | list }}"),
    ("refused_wordwrap", "{{ 'a b c d e' | wordwrap(3) | tojson }}"),
    ("refused_pprint", "{{ messages[1] | pprint }}"),
    ("refused_filesizeformat", "{{ 1234567 | filesizeformat }}"),
    ("refused_striptags", "{{ '<b>x</b>  y' | striptags }}"),
    ("refused_urlencode", "{{ 'a b&c' | urlencode }}"),
    ("refused_xmlattr", "{{ {'a': 1, 'b': none} | xmlattr }}"),
]
# jinja2's make_attrgetter on a dotted path whose middle part is missing: an UndefinedError in every
# filter that takes `attribute=`, unless `map` is given a `default`.
NESTED = [{"a": {"b": 1}}, {"c": 2}]
PATHS = [
    ("path_map", "{{ m | map(attribute='a.b') | list }}"), ("path_map_last_missing", "{{ m | map(attribute='a') | list }}"),
    ("path_map_default", "{{ m | map(attribute='a.b', default=0) | list }}"), ("path_selectattr", "{{ m | selectattr('a.b') | list }}"),
    ("path_rejectattr_defined", "{{ m | rejectattr('a.b', 'defined') | list }}"), ("path_sort", "{{ m | sort(attribute='a.b') | list }}"),
    ("path_sum", "{{ m | sum(attribute='a.b') }}"), ("path_unique", "{{ m | unique(attribute='a.b') | list }}"),
    ("path_join", "{{ m | join(',', attribute='a.b') }}"), ("path_min", "{{ m | min(attribute='a.b') }}"),
    ("path_list_index", "{{ [[1, 2], [3]] | map(attribute='1') | list }}"), ("path_list_index_deeper", "{{ [[[1, 2]], [[3]]] | map(attribute='0.1') | list }}"),
    ("path_none", "{{ [{'a': none}] | map(attribute='a.b') | list }}"),
]
CASES = [(case_id, template, {"messages": MSGS}) for case_id, template in TEMPLATES] + [
    (case_id, template, {"m": NESTED}) for case_id, template in PATHS]


def main():
    write_cases("filter-sweep.jsonl", CASES)


if __name__ == "__main__":
    main()
