#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/semantics.jsonl: a differential corpus of small templates on the corners
of jinja2's runtime that chat templates touch less often, rendered by transformers' own chat-template
environment (transformers 5.23 `_compile_jinja_template`: jinja2 3.1.6 ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks and loopcontrols).

What the cases pin:
- macros: positional, keyword and default arguments, missing arguments (undefined), `varargs` and `kwargs`
  (bound to `()` / `{}` when the body reads them, an error for extra arguments when it does not:
  jinja2's `Macro.__call__`), `caller` (from `{% call %}` or a `caller=` keyword), recursion, closures;
- `{% call %}` blocks with parameters, nested calls, a call to a macro that never reads `caller`;
- tuples: literals print as Python tuples, compare unequal to lists, `+` only with tuples, unpacking in
  `for` and `set`, every filter that takes a sequence;
- `loop`: index/revindex/first/last/length, previtem/nextitem, cycle, changed, depth, over filters' generators.

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}
(the exception's type and text). Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_semantics_goldens.py
"""
import json
import os
import sys

import jinja2
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template

MSGS = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello"},
    {"role": "user", "content": "Bye"},
]

CASES = [
    # --- macros: arguments
    ("macro_positional", "{% macro m(a, b) %}{{ a }}-{{ b }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro_keyword", "{% macro m(a, b) %}{{ a }}-{{ b }}{% endmacro %}{{ m(b=2, a=1) }}", {}),
    ("macro_mixed", "{% macro m(a, b, c=3) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1, c=5, b=2) }}", {}),
    ("macro_defaults", "{% macro m(a, b='x', c=none) %}{{ a }}|{{ b }}|{{ c }}{% endmacro %}{{ m(1) }}", {}),
    ("macro_default_refers_param", "{% macro m(a, b=a ~ '!') %}{{ b }}{% endmacro %}{{ m('hi') }}", {}),
    ("macro_default_refers_outer", "{% set g = 'G' %}{% macro m(a=g) %}{{ a }}{% endmacro %}{{ m() }}", {}),
    ("macro_missing_arg", "{% macro m(a, b) %}[{{ a }}][{{ b }}][{{ b is defined }}]{% endmacro %}{{ m(1) }}", {}),
    ("macro_missing_arg_used", "{% macro m(a, b) %}{{ b + 1 }}{% endmacro %}{{ m(1) }}", {}),
    ("macro_no_params", "{% macro m() %}x{% endmacro %}{{ m() }}{{ m() }}", {}),
    ("macro_returns_string", "{% macro m() %}12{% endmacro %}{{ m() + '3' }} {{ m() | length }}", {}),
    ("macro_string_filters", "{% macro m() %}  a  {% endmacro %}[{{ m() | trim }}]", {}),
    ("macro_too_many_positional", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro_too_many_positional_zero", "{% macro m() %}x{% endmacro %}{{ m(1) }}", {}),
    ("macro_too_many_positional_two", "{% macro m(a, b) %}x{% endmacro %}{{ m(1, 2, 3) }}", {}),
    ("macro_unknown_keyword", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}", {}),
    ("macro_unknown_keywords_first_named", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, c=2, b=3) }}", {}),
    ("macro_keyword_repeats_positional", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}", {}),
    ("macro_keyword_and_extra_positional", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2, b=3) }}", {}),
    # --- macros: varargs and kwargs
    ("macro_varargs_empty", "{% macro m(a) %}{{ varargs }}|{{ varargs | length }}{% endmacro %}{{ m(1) }}", {}),
    ("macro_kwargs_empty", "{% macro m(a) %}{{ kwargs }}|{{ kwargs | length }}{% endmacro %}{{ m(1) }}", {}),
    ("macro_varargs_kwargs_empty", "{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m() }}", {}),
    ("macro_varargs_defined", "{% macro m() %}{{ varargs is defined }} {{ kwargs is defined }}{% endmacro %}{{ m() }}", {}),
    ("macro_varargs_values", "{% macro m(a) %}{{ varargs }}{% endmacro %}{{ m(1, 2, 'x') }}", {}),
    ("macro_varargs_one", "{% macro m(a) %}{{ varargs }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro_varargs_loop", "{% macro m() %}{% for v in varargs %}<{{ v }}>{% endfor %}{% endmacro %}{{ m(1, 'b', none) }}", {}),
    ("macro_varargs_index", "{% macro m() %}{{ varargs[0] }}{{ varargs[-1] }}{{ varargs[1:] }}{% endmacro %}{{ m(1, 2, 3) }}", {}),
    ("macro_varargs_truthy", "{% macro m() %}{{ 'some' if varargs else 'none' }}{% endmacro %}{{ m() }} {{ m(0) }}", {}),
    ("macro_varargs_tojson", "{% macro m() %}{{ varargs | tojson }}{% endmacro %}{{ m(1, 'a') }}{{ m() }}", {}),
    ("macro_varargs_extra_keyword", "{% macro m(a) %}{{ varargs }}{% endmacro %}{{ m(1, 2, b=3) }}", {}),
    ("macro_kwargs_values", "{% macro m(a) %}{{ kwargs }}{% endmacro %}{{ m(1, b=2, c='x') }}", {}),
    ("macro_kwargs_items", "{% macro m() %}{% for k, v in kwargs.items() %}{{ k }}={{ v }};{% endfor %}{% endmacro %}{{ m(x=1, y=2) }}", {}),
    ("macro_kwargs_repeats_positional", "{% macro m(a) %}{{ a }}{{ kwargs }}{% endmacro %}{{ m(1, a=2) }}", {}),
    ("macro_kwargs_extra_positional", "{% macro m(a) %}{{ kwargs }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro_kwargs_get", "{% macro m() %}{{ kwargs.get('x', 'none') }}{% endmacro %}{{ m() }} {{ m(x=5) }}", {}),
    ("macro_both", "{% macro m(a, b=2) %}{{ a }} {{ b }} {{ varargs }} {{ kwargs }}{% endmacro %}{{ m(1) }} {{ m(1, 3, 4, z=5) }}", {}),
    ("macro_varargs_in_nested_macro", "{% macro outer() %}{% macro inner() %}{{ varargs }}{% endmacro %}{{ inner(7) }}{% endmacro %}{{ outer(1) }}", {}),
    ("macro_varargs_in_if", "{% macro m() %}{% if false %}{{ varargs }}{% endif %}ok{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro_kwargs_in_filter_arg", "{% macro m() %}{{ 'x' | default(kwargs) }}{% endmacro %}{{ m(q=1) }}", {}),
    ("macro_varargs_percent", "{% macro m(f) %}{{ f % varargs }}{% endmacro %}{{ m('%s-%s', 1, 2) }}", {}),
    ("macro_varargs_param_count", "{% macro m(a, b) %}{{ varargs | length }}{% endmacro %}{{ m(1) }}{{ m(1, 2, 3, 4) }}", {}),
    # --- macros: caller
    ("call_block", "{% macro m() %}[{{ caller() }}]{% endmacro %}{% call m() %}body{% endcall %}", {}),
    ("call_block_args", "{% macro m(x) %}{{ caller(x * 2) }}{% endmacro %}{% call(v) m(3) %}v={{ v }}{% endcall %}", {}),
    ("call_block_twice", "{% macro m() %}{{ caller() }}{{ caller() }}{% endmacro %}{% call m() %}ab{% endcall %}", {}),
    ("call_block_loop", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(i) each([1, 2, 3]) %}<{{ i }}>{% endcall %}", {}),
    ("call_block_scope", "{% set outer = 'o' %}{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ outer }}{% endcall %}", {}),
    ("call_block_default_param", "{% macro m() %}{{ caller() }}|{{ caller(5) }}{% endmacro %}{% call(x=1) m() %}{{ x }}{% endcall %}", {}),
    ("call_block_caller_too_many", "{% macro m() %}{{ caller(1, 2) }}{% endmacro %}{% call(x) m() %}{{ x }}{% endcall %}", {}),
    ("call_block_caller_no_args_given", "{% macro m() %}{{ caller() }}{% endmacro %}{% call(x) m() %}[{{ x }}]{% endcall %}", {}),
    ("call_block_caller_varargs", "{% macro m() %}{{ caller(1, 2) }}{% endmacro %}{% call m() %}{{ varargs }}{% endcall %}", {}),
    ("call_block_caller_kwargs", "{% macro m() %}{{ caller(k=1) }}{% endmacro %}{% call m() %}{{ kwargs }}{% endcall %}", {}),
    ("call_block_caller_unknown_keyword", "{% macro m() %}{{ caller(k=1) }}{% endmacro %}{% call m() %}x{% endcall %}", {}),
    ("call_block_macro_ignores_caller", "{% macro m() %}plain{% endmacro %}{% call m() %}body{% endcall %}", {}),
    ("call_block_nested", "{% macro a() %}A({{ caller() }}){% endmacro %}{% macro b() %}B({{ caller() }}){% endmacro %}{% call a() %}{% call b() %}x{% endcall %}{% endcall %}", {}),
    ("call_block_caller_is_defined", "{% macro m() %}{{ caller is defined }}{% endmacro %}{{ m() }}|{% call m() %}x{% endcall %}", {}),
    ("call_block_no_caller_called", "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}", {}),
    ("call_keyword_caller", "{% macro m() %}{{ caller }}{% endmacro %}{{ m(caller='c') }}", {}),
    ("call_keyword_caller_unused", "{% macro m() %}x{% endmacro %}{{ m(caller='c') }}", {}),
    ("call_block_output_trimmed", "{% macro m() %}<{{ caller() | trim }}>{% endmacro %}{% call m() %}\n  text  \n{% endcall %}", {}),
    ("call_block_set_inside", "{% macro m() %}{{ caller() }}{% endmacro %}{% set x = 1 %}{% call m() %}{% set x = 2 %}{{ x }}{% endcall %}{{ x }}", {}),
    ("call_block_caller_recursion", "{% macro tree(n) %}{% if n > 0 %}{{ caller(n) }}{{ tree(n - 1) }}{% endif %}{% endmacro %}{{ tree(2) }}", {}),
    # --- macros: recursion and closures
    ("macro_recursion", "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(4) }}", {}),
    ("macro_recursion_tree", "{% macro show(node) %}{{ node.name }}{% if node.children %}({% for c in node.children %}{{ show(c) }}{% if not loop.last %},{% endif %}{% endfor %}){% endif %}{% endmacro %}{{ show(t) }}",
     {"t": {"name": "a", "children": [{"name": "b", "children": []}, {"name": "c", "children": [{"name": "d"}]}]}}),
    ("macro_sees_later_global", "{% macro m() %}{{ g }}{% endmacro %}{% set g = 'late' %}{{ m() }}", {}),
    ("macro_set_is_local", "{% set x = 'outer' %}{% macro m() %}{% set x = 'inner' %}{{ x }}{% endmacro %}{{ m() }}{{ x }}", {}),
    ("macro_in_loop", "{% for i in [1, 2] %}{% macro m() %}{{ i }}{% endmacro %}{{ m() }}{% endfor %}", {}),
    ("macro_passed_as_value", "{% macro m(x) %}<{{ x }}>{% endmacro %}{% macro apply(f, v) %}{{ f(v) }}{% endmacro %}{{ apply(m, 3) }}", {}),
    ("macro_repr", "{% macro m() %}{% endmacro %}{{ m }}", {}),
    ("macro_attributes", "{% macro m(a, b) %}{{ varargs }}{% endmacro %}{{ m.name }}|{{ m.arguments }}|{{ m.catch_varargs }}|{{ m.catch_kwargs }}|{{ m.caller }}", {}),
    ("macro_callable_test", "{% macro m() %}{% endmacro %}{{ m is callable }}", {}),
    ("macro_namespace_update", "{% set ns = namespace(n=0) %}{% macro bump() %}{% set ns.n = ns.n + 1 %}{% endmacro %}{{ bump() }}{{ bump() }}{{ ns.n }}", {}),
    ("macro_messages", "{% macro fmt(m) %}<{{ m.role }}>{{ m.content }}{% endmacro %}{% for m in messages %}{{ fmt(m) }}{% endfor %}", {"messages": MSGS}),
    # --- tuples
    ("tuple_print", "{{ (1, 2) }} {{ (1,) }} {{ () }} {{ ('a', none, true, 1.5) }}", {}),
    ("tuple_nested", "{{ ((1, 2), [3, (4,)]) }} {{ [(1, 2)] }} {{ {'k': (1,)} }}", {}),
    ("tuple_bare_set", "{% set t = 1, 2 %}{{ t }}", {}),
    ("tuple_bare_set_trailing_comma", "{% set t = 1, %}{{ t }}", {}),
    ("tuple_equal_list", "{{ (1, 2) == [1, 2] }} {{ (1, 2) != [1, 2] }} {{ (1, 2) == (1, 2) }} {{ () == [] }}", {}),
    ("tuple_equal_nested", "{{ [(1, 2)] == [[1, 2]] }} {{ {'a': (1,)} == {'a': (1,)} }} {{ {'a': (1,)} == {'a': [1]} }}", {}),
    ("tuple_truthy", "{{ 'y' if () else 'n' }}{{ 'y' if (0,) else 'n' }}", {}),
    ("tuple_length", "{{ (1, 2, 3) | length }} {{ (1, 2, 3) | count }} {{ () | length }}", {}),
    ("tuple_index", "{{ (1, 2, 3)[0] }} {{ (1, 2, 3)[-1] }} [{{ (1, 2)[5] }}]", {}),
    ("tuple_slice", "{{ (1, 2, 3)[1:] }} {{ (1, 2, 3)[::-1] }} {{ (1, 2, 3)[:1] }} {{ (1, 2, 3)[5:] }}", {}),
    ("tuple_in", "{{ 2 in (1, 2) }} {{ 3 in (1, 2) }} {{ 3 not in (1, 2) }} {{ 'a' in ('a', 'b') }}", {}),
    ("tuple_iterate", "{% for x in (1, 'b', none) %}{{ loop.index }}:{{ x }};{% endfor %}", {}),
    ("tuple_plus_tuple", "{{ (1, 2) + (3,) }} {{ () + () }}", {}),
    ("tuple_plus_list", "{{ (1, 2) + [3] }}", {}),
    ("list_plus_tuple", "{{ [1, 2] + (3,) }}", {}),
    ("tuple_times", "{{ (1, 2) * 2 }} {{ 2 * (0,) }} {{ (1,) * 0 }}", {}),
    ("tuple_compare", "{{ (1, 2) < (1, 3) }} {{ (2,) > (1, 9) }} {{ (1, 2) <= (1, 2) }}", {}),
    ("tuple_compare_list", "{{ (1, 2) < [1, 3] }}", {}),
    ("tuple_tojson", "{{ (1, 'a', (2,)) | tojson }} {{ {'t': (1, 2)} | tojson }} {{ () | tojson }}", {}),
    ("tuple_tojson_indent", "{{ (1, 2) | tojson(indent=2) }}", {}),
    ("tuple_list_filter", "{{ (1, 2) | list }} {{ (1, 2) | list == [1, 2] }}", {}),
    ("tuple_string_filter", "{{ (1, 'a') | string }} {{ (1,) ~ '' }}", {}),
    ("tuple_join", "{{ ('a', 'b', 1) | join('-') }}", {}),
    ("tuple_first_last", "{{ (1, 2, 3) | first }} {{ (1, 2, 3) | last }}", {}),
    ("tuple_sort", "{{ (3, 1, 2) | sort }} {{ (3, 1, 2) | sort(reverse=true) }}", {}),
    ("tuple_reverse", "{{ (1, 2, 3) | reverse | list }}", {}),
    ("tuple_unique", "{{ (1, 2, 1, 3) | unique | list }}", {}),
    ("tuple_min_max_sum", "{{ (3, 1, 2) | min }} {{ (3, 1, 2) | max }} {{ (3, 1, 2) | sum }}", {}),
    ("tuple_map", "{{ ('a', 'b') | map('upper') | list }}", {}),
    ("tuple_select", "{{ (1, 2, 3, 4) | select('odd') | list }} {{ (1, 2, 3, 4) | reject('odd') | list }}", {}),
    ("tuple_selectattr", "{{ ({'a': 1}, {'a': 0}) | selectattr('a') | list }}", {}),
    ("tuple_batch_slice", "{{ (1, 2, 3) | batch(2) | list }} {{ (1, 2, 3) | slice(2) | list }}", {}),
    ("tuple_tests", "{{ (1,) is iterable }} {{ (1,) is sequence }} {{ (1,) is mapping }} {{ (1,) is string }} {{ (1,) is defined }}", {}),
    ("tuple_methods", "{{ (1, 2, 1).count(1) }} {{ (1, 2, 3).index(2) }}", {}),
    ("tuple_method_append", "{{ (1, 2).append(3) }}", {}),
    ("tuple_items_pairs", "{% for p in {'a': 1}.items() %}{{ p }} {{ p[0] }} {{ p | list }}{% endfor %}", {}),
    ("tuple_items_compare", "{{ {'a': 1}.items() | list == [('a', 1)] }} {{ ({'a': 1} | items | list)[0] == ('a', 1) }}", {}),
    ("tuple_dictsort", "{{ {'b': 1, 'a': 2} | dictsort }}", {}),
    ("tuple_in_list", "{{ ('a', 1) in {'a': 1}.items() | list }} {{ [1, 2] in [(1, 2)] }}", {}),
    ("tuple_percent_format", "{{ '%s and %s' % (1, 2) }} {{ '%s' % ((1, 2),) }} {{ '%s' % [1, 2] }}", {}),
    ("tuple_string_methods", "{{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith(('c',)) }}", {}),
    ("tuple_paren_expr_not_tuple", "{{ (1) }} {{ (1 + 2) }} {{ ('a') }}", {}),
    ("tuple_unpack_for", "{% for a, b in [(1, 2), [3, 4]] %}{{ a }}{{ b }};{% endfor %}", {}),
    ("tuple_unpack_for_paren", "{% for (a, b) in [(1, 2)] %}{{ a }}{{ b }}{% endfor %}", {}),
    ("tuple_unpack_for_nested", "{% for a, (b, c) in [(1, (2, 3))] %}{{ a }}{{ b }}{{ c }}{% endfor %}", {}),
    ("tuple_unpack_for_items", "{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}{{ v }}{% endfor %}", {}),
    ("tuple_unpack_for_string", "{% for a, b in ['xy', 'zw'] %}{{ a }}{{ b }}{% endfor %}", {}),
    ("tuple_unpack_too_many", "{% for a, b in [(1, 2, 3)] %}{{ a }}{% endfor %}", {}),
    ("tuple_unpack_too_few", "{% for a, b in [(1,)] %}{{ a }}{% endfor %}", {}),
    ("tuple_unpack_set", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = [3, 4] %}{{ c }}{{ d }}{% set (e, f) = 'xy' %}{{ e }}{{ f }}", {}),
    ("tuple_unpack_set_swap", "{% set a, b = 1, 2 %}{% set a, b = b, a %}{{ a }}{{ b }}", {}),
    ("tuple_unpack_set_mismatch", "{% set a, b = 1, 2, 3 %}", {}),
    ("tuple_unpack_non_iterable", "{% set a, b = 1 %}", {}),
    ("tuple_in_namespace", "{% set ns = namespace(t=(1, 2)) %}{{ ns.t }} {{ ns.t | tojson }}", {}),
    ("tuple_as_dict_key_value", "{{ dict(a=(1,)) }}", {}),
    ("tuple_loop_length", "{% for x in (4, 5) %}{{ loop.length }}{{ loop.last }}{% endfor %}", {}),
    ("tuple_from_varargs_equal", "{% macro m() %}{{ varargs == (1, 2) }} {{ varargs == [1, 2] }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("tuple_conditional", "{{ (1, 2) if true else [] }}", {}),
    ("tuple_repr_strings", "{{ ('it\\'s', \"q\\\"\", 'a\\nb') }}", {}),
    ("tuple_float_int", "{{ (1.0, 2, -0.0) }}", {}),
    ("tuple_trailing_comma_list", "{{ [1, 2,] }} {{ (1, 2,) }}", {}),
    ("tuple_items_filter", "{{ {'a': 1} | items | list }}", {}),
    ("tuple_string_in_tuple", "{{ 'a' in ('abc',) }}", {}),
    ("tuple_abs_error", "{{ (1,) | abs }}", {}),
    ("tuple_int_filter", "{{ (1,) | int }} {{ (1,) | float }}", {}),
    ("tuple_default", "{{ () | default('d') }} {{ () | default('d', true) }}", {}),
    ("tuple_center", "{{ (1,) | center(9) }}", {}),
    ("tuple_wordcount", "{{ ('a b', 'c') | wordcount }}", {}),
    ("tuple_upper", "{{ ('a', 'b') | upper }}", {}),
    ("tuple_replace", "{{ ('a', 'b') | replace('a', 'x') }}", {}),
    # --- loop object
    ("loop_fields", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {}),
    ("loop_prev_next", "{% for x in [1, 2, 3] %}[{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.previtem is defined }}]{% endfor %}", {}),
    ("loop_cycle", "{% for x in range(5) %}{{ loop.cycle('a', 'b', 'c') }}{% endfor %}", {}),
    ("loop_cycle_empty", "{% for x in [1] %}{{ loop.cycle() }}{% endfor %}", {}),
    ("loop_changed", "{% for x in [1, 1, 2, 2, 1] %}{{ loop.changed(x) }} {% endfor %}", {}),
    ("loop_changed_two", "{% for x in [1, 1, 2] %}{{ loop.changed(x, 'k') }} {% endfor %}", {}),
    ("loop_changed_no_args", "{% for x in [1, 2] %}{{ loop.changed() }} {% endfor %}", {}),
    ("loop_depth", "{% for x in [1] %}{{ loop.depth }}{{ loop.depth0 }}{% for y in [2] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}{% endfor %}", {}),
    ("loop_nested_outer", "{% for x in [1, 2] %}{% set outer = loop %}{% for y in 'ab' %}{{ outer.index }}{{ loop.index }} {% endfor %}{% endfor %}", {}),
    ("loop_filtered", "{% for x in range(10) if x is odd %}{{ loop.index }}:{{ x }}/{{ loop.length }} {% endfor %}", {}),
    ("loop_filtered_prev", "{% for x in range(6) if x is even %}{{ loop.previtem }}>{{ x }}>{{ loop.nextitem }} {% endfor %}", {}),
    ("loop_over_select_length", "{% for x in [1, 2, 3, 4] | select('even') %}{{ loop.length }}{{ loop.last }}{{ loop.revindex }} {% endfor %}", {}),
    ("loop_over_map_length", "{% for x in ['a', 'b'] | map('upper') %}{{ x }}{{ loop.length }}{{ loop.nextitem }} {% endfor %}", {}),
    ("loop_over_reverse", "{% for x in [1, 2, 3] | reverse %}{{ x }}{{ loop.length }}{{ loop.first }} {% endfor %}", {}),
    ("loop_over_items", "{% for k, v in {'a': 1, 'b': 2} | items %}{{ k }}{{ v }}{{ loop.length }} {% endfor %}", {}),
    ("loop_over_dictsort", "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}{{ v }}{{ loop.revindex }} {% endfor %}", {}),
    ("loop_over_dict_values", "{% for v in {'a': 1, 'b': 2}.values() %}{{ v }}{{ loop.length }}{% endfor %}", {}),
    ("loop_else", "{% for x in [] %}x{% else %}empty{% endfor %}{% for x in [1] if false %}x{% else %}none{% endfor %}", {}),
    ("loop_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop_repr", "{% for x in [1] %}{{ loop }}{% endfor %}", {}),
    ("loop_var_after_loop", "{% for x in [1, 2] %}{% endfor %}[{{ x }}][{{ loop is defined }}]", {}),
    ("loop_set_inside", "{% set y = 0 %}{% for x in [1, 2] %}{% set y = x %}{% endfor %}{{ y }}", {}),
    ("loop_loop_in_macro", "{% macro m() %}{{ loop is defined }}{% endmacro %}{% for x in [1] %}{{ m() }}{% endfor %}", {}),
    ("loop_cycler_joiner", "{% set c = cycler('a', 'b') %}{% set j = joiner('/') %}{% for x in range(3) %}{{ j() }}{{ c.next() }}{% endfor %}|{{ c.current }}", {}),
    ("loop_range_args", "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(5, 0, -2) | list }} {{ range(0) | list }}", {}),
    ("loop_range_length", "{{ range(3) | length }} {{ range(10)[2] }} {{ range(10)[2:5] | list }}", {}),
    ("loop_nested_break", "{% for x in [1, 2] %}{% for y in [1, 2] %}{% if y == 2 %}{% break %}{% endif %}{{ x }}{{ y }} {% endfor %}{% endfor %}", {}),
    ("loop_changed_messages", "{% for m in messages %}{% if loop.changed(m.role) %}[{{ m.role }}]{% endif %}{% endfor %}", {"messages": MSGS + [{"role": "user", "content": "again"}]}),
    # --- set/with/namespace scoping around macros and loops
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("set_block", "{% set x %}a{{ 1 + 1 }}b{% endset %}{{ x }} {{ x | length }}", {}),
    ("set_block_filter", "{% set x | upper %}abc{% endset %}{{ x }}", {}),
    ("namespace_in_loop", "{% set ns = namespace(last=none) %}{% for x in [1, 2, 3] %}{% set ns.last = x %}{% endfor %}{{ ns.last }}", {}),
    ("filter_block", "{% filter upper %}a{{ 'b' }}c{% endfilter %}", {}),
]


def render(template, context):
    return _compile_jinja_template(template).render(**context)


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jinja")
    os.makedirs(root, exist_ok=True)
    seen = set()
    with open(os.path.join(root, "semantics.jsonl"), "w", encoding="utf-8") as out:
        for case_id, template, context in CASES:
            assert case_id not in seen, case_id
            seen.add(case_id)
            record = {"id": case_id, "template": template, "context": context}
            try:
                record["expected"] = render(template, context)
            except Exception as error:  # the case expects an error
                record["error"] = type(error).__name__
                record["message"] = str(error)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases (transformers {transformers.__version__}, jinja2 {jinja2.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
