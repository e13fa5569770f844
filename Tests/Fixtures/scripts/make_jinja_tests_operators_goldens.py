#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/tests-operators.jsonl: jinja2's tests (`is number`, `is integer`,
`is sequence`, `is mapping`, `is iterable`, `is callable`, `is lower`, `is sameas`, ...) on every kind
of value a template meets (bool, int, float, str, list, tuple, dict, None, undefined, a namespace, a
macro, loop, cycler, joiner; `range` is left out: Collate's range is a list, a known difference), and the operators' Python corners: mixed comparisons, `and` / `or` returning an
operand, `~` with numbers and None, `in` on each container, chained comparisons, unary minus on a
bool, string ordering by code point. Rendered by transformers 5.23's chat-template environment
(jinja2 3.1.6).

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_tests_operators_goldens.py
"""
from _jinja_goldens import write_cases

VALUES = {
    "true": "true", "int": "3", "float": "2.5", "str": "'Ab'", "empty": "''", "list": "[1, 'x']", "tuple": "(1, 2)",
    "dict": "{'k': 1}", "none": "none", "undef": "missing", "ns": "namespace(a=1)",
}
TESTS = ["number", "integer", "float", "string", "sequence", "mapping", "iterable", "boolean", "none", "defined",
         "callable", "lower", "upper", "true", "false", "escaped"]
CASES = []
for name, literal in VALUES.items():
    checks = []
    for test in TESTS:
        checks.append(f"{{% if ({literal}) is {test} %}}{test[:3]}{{% endif %}}")
    CASES.append((f"tests_{name}", "{% set x = 0 %}" + ",".join(checks), {}))
OPERATORS = [
    ("and_or_operands", "{{ '' or 'x' }}|{{ 0 and 1 }}|{{ [] or none }}|{{ 'a' and 'b' }}|{{ none or 0 }}|{{ not '' }}"),
    ("tilde", "{{ 1 ~ 2.0 ~ none ~ true ~ [1] ~ {'a': 1} }}"),
    ("mixed_equality", "{{ 1 == 1.0 }} {{ 1 == true }} {{ 0 == false }} {{ none == 0 }} {{ [1] == (1,) }} {{ {} == {} }} {{ 'a' == 'a' }} {{ 1 != '1' }}"),
    ("string_ordering", "{{ 'a' < 'B' }} {{ 'é' > 'z' }} {{ 'abc' < 'abd' }} {{ '10' < '9' }} {{ [1, 2] < [1, 3] }} {{ (1, 'a') < (1, 'b') }}"),
    ("chained_comparison", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 < 2 == 2 }}"),
    ("mixed_ordering_error", "{{ 1 < 'a' }}"),
    ("none_ordering_error", "{{ none < 1 }}"),
    ("in_containers", "{{ 'b' in 'abc' }} {{ 1 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 1 in (1,) }} {{ '' in 'x' }} {{ 1.0 in [1] }} {{ true in [1] }}"),
    ("in_string_needle_error", "{{ 1 in 'abc' }}"),
    ("unary", "{{ -true }} {{ +false }} {{ -(-2) }} {{ not none }} {{ -0.0 }}"),
    ("bool_arithmetic", "{{ true + true }} {{ true * 3 }} {{ 10 / true }} {{ 7 // 2.0 }} {{ 2 ** 0.5 }} {{ -2 ** 2 }}"),
    ("odd_even", "{{ 3 is odd }} {{ 4 is even }} {{ true is odd }} {{ -3 is odd }}"),
    ("odd_on_string_error", "{{ 'a' is odd }}"),
    ("int_division_zero", "{{ 1 // 0 }}"),
    ("float_division_zero", "{{ 1.0 / 0 }}"),
    ("modulo_zero", "{{ 5 % 0 }}"),
    ("string_multiply", "{{ 'ab' * 0 }}|{{ 'ab' * -1 }}|{{ 3 * 'x' }}|{{ [0] * 3 }}"),
    ("is_tests_with_args", "{{ 4 is divisibleby 2 }} {{ 3 is in [1, 3] }} {{ 'a' is eq 'a' }} {{ 2 is gt 1 }} {{ 2 is ge 3 }} {{ none is sameas none }} {{ 1 is sameas true }}"),
    ("loop_cycler_joiner_tests", "{% for i in [1] %}{{ loop is callable }} {{ loop is iterable }} {{ loop is sequence }} {{ loop is lower }}{% endfor %} {{ cycler(1) is callable }} {{ joiner() is callable }} {{ namespace() is callable }} {{ cycler(1) is iterable }}"),
    ("lower_upper_any_value", "{{ ['a'] is lower }} {{ ['A'] is upper }} {{ (1, 2) is lower }} {{ none is lower }} {{ true is upper }} {{ 3 is lower }} {{ '' is lower }} {{ {'K': 1} is upper }}"),
    ("loop_and_macro_tests", "{% macro m() %}{% endmacro %}{{ m is callable }} {% for i in [1] %}{{ loop is mapping }} {{ loop is iterable }}{% endfor %} {{ namespace() is mapping }}"),
    ("filter_test_tests", "{{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'odd' is test }} {{ 'groupby' is filter }}"),
    ("ternary_chains", "{{ 'a' if none else 'b' if 0 else 'c' }} {{ 1 if true }}|{{ (1 if false) is defined }}"),
    ("attribute_vs_item", "{{ {'items': 1}['items'] }} {{ {'keys': 2}.keys is callable }} {{ 'abc'.upper is callable }}"),
    ("list_methods", "{{ [1, 2, 1].count(1) }} {{ [1, 2].index(2) }} {{ {'a': 1}.get('b', 'z') }} {{ {'a': 1}.copy() }}"),
]
CASES += [(case_id, template, {}) for case_id, template in OPERATORS]


def main():
    write_cases("tests-operators.jsonl", CASES)


if __name__ == "__main__":
    main()
