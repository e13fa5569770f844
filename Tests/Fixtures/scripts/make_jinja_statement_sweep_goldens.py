#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/statement-sweep.jsonl: the statements a chat template can use, with
the extensions transformers 5.23 enables (loop controls and its `{% generation %}`): `{% with %}`,
`{% filter %}` blocks, `{% set %}` blocks through a filter, `{% call(args) %}`, macros with varargs /
kwargs / defaults reading earlier arguments, `{% break %}` / `{% continue %}` in nested loops, and the
statements it does not enable (`{% do %}`, `{% include %}`, `{% import %}`, `{% extends %}`,
`{% trans %}`), which jinja2 refuses. Rendered by transformers 5.23's chat-template environment
(jinja2 3.1.6).

Each line: {"id", "template", "context", "expected"} or {"id", "template", "context", "error", "message"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_statement_sweep_goldens.py
"""
from _jinja_goldens import write_cases

CASES = [
    ("with_block", "{% with a = 1, b = 'x' %}{{ a }}{{ b }}{% endwith %}|{{ a is defined }}", {}),
    ("with_scoping", "{% set a = 'outer' %}{% with a = 'inner' %}{% set b = 2 %}{{ a }}{% endwith %}{{ a }}{{ b is defined }}", {}),
    ("filter_block", "{% filter upper %}hello {{ 'world' }}{% endfilter %}|{% filter replace('a', 'o') | trim %}  banana  {% endfilter %}", {}),
    ("set_block_filter", "{% set s | upper %}abc{% endset %}{{ s }}|{% set t | trim | replace(' ', '_') %}  a b  {% endset %}{{ t }}", {}),
    ("call_with_args", "{% macro list(items) %}{% for i in items %}{{ caller(i, loop.index) }}{% endfor %}{% endmacro %}{% call(x, n) list(['a', 'b']) %}[{{ n }}:{{ x }}]{% endcall %}", {}),
    ("macro_defaults_chain", "{% macro m(a, b=a ~ '!', c=none) %}{{ a }}|{{ b }}|{{ c }}{% endmacro %}{{ m('x') }} {{ m('y', c=1) }}", {}),
    ("macro_varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}", {}),
    ("macro_attributes", "{% macro m(a, b=2) %}{% endmacro %}{{ m.name }} {{ m.arguments }} {{ m.catch_kwargs }} {{ m.catch_varargs }} {{ m.caller }}", {}),
    ("break_continue_nested", "{% for i in range(4) %}{% if i == 1 %}{% continue %}{% endif %}{% for j in range(3) %}{% if j > i %}{% break %}{% endif %}{{ i }}{{ j }} {% endfor %}{% if i == 2 %}{% break %}{% endif %}{% endfor %}", {}),
    ("loop_changed_depth", "{% for i in [1, 1, 2] %}{{ loop.changed(i) }}{% for j in [0] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}{% endfor %}", {}),
    ("loop_revindex_prev_next", "{% for i in 'abc' %}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.previtem }}{{ loop.nextitem }};{% endfor %}", {}),
    ("set_in_if_leaks", "{% if true %}{% set x = 1 %}{% endif %}{{ x }}{% for i in [1] %}{% set y = 2 %}{% endfor %}{{ y is defined }}", {}),
    ("namespace_across_macro", "{% set ns = namespace(n=0) %}{% macro inc() %}{% set ns.n = ns.n + 1 %}{% endmacro %}{{ inc() }}{{ inc() }}{{ ns.n }}", {}),
    ("raise_in_macro", "{% macro check(x) %}{% if not x %}{{ raise_exception('bad: ' ~ x) }}{% endif %}ok{% endmacro %}{{ check(1) }}{{ check(0) }}", {}),
    ("do_statement", "{% set l = [] %}{% do l.append(1) %}{{ l }}", {}),
    ("include_statement", "{% include 'x.jinja' %}", {}),
    ("import_statement", "{% import 'x.jinja' as x %}", {}),
    ("extends_statement", "{% extends 'base.jinja' %}", {}),
    ("trans_statement", "{% trans %}hello{% endtrans %}", {}),
    ("generation_tag", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}",
     {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}),
    ("block_statement", "{% block body %}inside{% endblock %}", {}),
    ("autoescape_statement", "{% autoescape true %}{{ '<b>' }}{% endautoescape %}", {}),
]


def main():
    write_cases("statement-sweep.jsonl", CASES)


if __name__ == "__main__":
    main()
