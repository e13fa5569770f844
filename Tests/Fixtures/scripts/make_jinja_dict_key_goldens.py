#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/dict-keys.jsonl: dictionary keys other than strings, as a real
template uses them (Seed-OSS's `{0: 0, 512: 128, ...} | dictsort` thinking-budget table, read back
with `table[16384]`), rendered by transformers 5.23's chat-template environment (jinja2 3.1.6).

What the cases pin: int, float, bool and None keys in literals, `dict(...)` and `dict.fromkeys`;
Python's one key for `1`, `1.0` and `True` (the first form kept, the last value); reading them
back (`d[512]`, `d.get(1)`, `in`, a float or bool index); iterating, `items()`, `keys()`, the
`items`, `dictsort`, `list`, `join`, `length` and `string` filters; the repr; `tojson` (Python's
json.dumps turns keys into strings: `"1"`, `"null"`, `"true"`, `"2.5"`); equality; unhashable keys.

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_dict_key_goldens.py
"""
from _jinja_goldens import write_cases

SEED = "{%- set t = {\n     0:      0,\n     512:    128,\n     1024:   256,\n     16384:  1024\n} -%}"
CASES = [
    ("repr_int_key", "{{ {1: 'a'} }}", {}),
    ("repr_mixed_keys", "{{ {None: 1, 2.5: 'x', 'k': 3, -4: [1]} }}", {}),
    ("repr_float_keys", "{{ {0.1: 'a', 1e20: 'b', -0.5: 'c'} }}", {}),
    ("one_key_int_true_float", "{{ {1: 'a', True: 'b', 1.0: 'c'} }}", {}),
    ("one_key_true_first", "{{ {True: 'a', 1: 'b'} }}", {}),
    ("one_key_float_first", "{{ {0.0: 'a', 0: 'b', False: 'c'} }}", {}),
    ("string_and_int_differ", "{{ {1: 'a', '1': 'b'} }} {{ {1: 'a', '1': 'b'} | length }}", {}),
    ("seed_dictsort_threshold", SEED + "{% set ns = namespace(i=None) %}{% for k, v in t | dictsort %}"
     "{% if ns.i is none and budget <= k %}{% set ns.i = v %}{% endif %}{% endfor %}"
     "{% if ns.i is none %}{% set ns.i = t[16384] %}{% endif %}{{ ns.i }}", {"budget": 700}),
    ("seed_dictsort_beyond", SEED + "{% set ns = namespace(i=None) %}{% for k, v in t | dictsort %}"
     "{% if ns.i is none and budget <= k %}{% set ns.i = v %}{% endif %}{% endfor %}"
     "{% if ns.i is none %}{% set ns.i = t[16384] %}{% endif %}{{ ns.i }}", {"budget": 99999}),
    ("dictsort_ints", "{{ {10: 'a', 2: 'b', -1: 'c'} | dictsort }}", {}),
    ("dictsort_reverse", "{{ {10: 'a', 2: 'b'} | dictsort(reverse=true) }}", {}),
    ("dictsort_by_value", "{{ {1: 'b', 2: 'a'} | dictsort(by='value') }}", {}),
    ("dictsort_mixed", "{{ {1: 'a', 'b': 2} | dictsort }}", {}),
    ("index_int", "{{ {512: 128}[512] }}", {}),
    ("index_missing", "{{ {512: 128}[5] is defined }}|{{ {512: 128}['512'] is defined }}", {}),
    ("index_float_and_bool", "{{ {0: 'x'}[0.0] }}{{ {0: 'x'}[False] }}{{ {1: 'y'}[True] }}", {}),
    ("index_negative", "{{ {-1: 'neg'}[-1] }}", {}),
    ("index_none", "{{ {None: 'n'}[None] }}", {}),
    ("in_operator", "{{ 1 in {1: 'a'} }} {{ '1' in {1: 'a'} }} {{ 1.0 in {1: 'a'} }} {{ none in {None: 0} }}", {}),
    ("get_method", "{{ {1: 'a'}.get(1) }} {{ {1: 'a'}.get(2, 'z') }} {{ {1: 'a'}.get(True) }}", {}),
    ("keys_items", "{{ {1: 'a', None: 'b'}.keys() | list }} {{ {1: 'a'}.items() | list }}", {}),
    ("items_filter", "{{ {1: 'a', 2.5: 'b'} | items | list }}", {}),
    ("for_keys", "{% for k in {3: 'a', 1: 'b'} %}{{ k + 1 }},{% endfor %}", {}),
    ("for_items", "{% for k, v in {3: 'a', False: 'b'}.items() %}{{ k }}={{ v }};{% endfor %}", {}),
    ("list_sort", "{{ {2: 'b', 1: 'a'} | list | sort }}", {}),
    ("join_filter", "{{ {1: 'a', 2: 'b'} | join(',') }}", {}),
    ("string_filter", "{{ {1: 'a'} | string }}", {}),
    ("first_last", "{{ {7: 'a', 8: 'b'} | first }} {{ {7: 'a', 8: 'b'} | last }}", {}),
    ("tojson_keys", "{{ {1: 'a', None: 2, True: 3, 2.5: 4, 'k': 5} | tojson }}", {}),
    ("tojson_indent", "{{ {1: 'a', 2: [1, 2]} | tojson(indent=2) }}", {}),
    ("equality", "{{ {1: 'a'} == {1: 'a'} }} {{ {1: 'a'} == {'1': 'a'} }} {{ {1: 'a'} == {True: 'a'} }}", {}),
    ("dict_call_pairs", "{{ dict([(1, 'a'), (2, 'b')]) }}", {}),
    ("dict_fromkeys", "{{ dict.fromkeys([1, 2, 1.0], 0) }}", {}),
    ("set_and_read", "{% set d = {0: 'zero'} %}{% set k = 0 %}{{ d[k] }}{{ d.get(k) }}", {}),
    ("unhashable_list", "{{ {[1]: 2} }}", {}),
    ("unhashable_dict", "{{ {{'a': 1}: 2} }}", {}),
    ("key_from_context", "{% set d = {n: 'x'} %}{{ d }}{{ d[n] }}", {"n": 42}),
]


def main():
    write_cases("dict-keys.jsonl", CASES)


if __name__ == "__main__":
    main()
