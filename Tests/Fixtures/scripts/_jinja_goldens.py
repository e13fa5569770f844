"""The shared writer of the Jinja golden scripts (make_jinja_*.py): renders each (id, template,
context) case with transformers' chat-template environment and writes one JSON line per case to
Tests/Fixtures/jinja/NAME: `expected` (the text) or `error` + `message` (the exception jinja2
raised), plus `generations` when `render` returns spans."""
import json
import os
import sys

import jinja2
import transformers
from transformers.utils.chat_template_utils import _compile_jinja_template


def render_text(template, context):
    """transformers 5.23's compiled chat template, rendered to text."""
    return _compile_jinja_template(template).render(**context)


def write_cases(name, cases, render=render_text, note=""):
    """Writes `cases` to Tests/Fixtures/jinja/`name`; `render(template, context)` returns the text
    or (text, generation spans or None). Case ids must be distinct."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jinja")
    os.makedirs(root, exist_ok=True)
    seen = set()
    with open(os.path.join(root, name), "w", encoding="utf-8") as out:
        for case_id, template, context in cases:
            assert case_id not in seen, case_id
            seen.add(case_id)
            record = {"id": case_id, "template": template, "context": context}
            try:
                result = render(template, context)
                text, spans = result if isinstance(result, tuple) else (result, None)
                record["expected"] = text
                if spans is not None:
                    record["generations"] = spans
            except Exception as error:  # the case expects an error
                record["error"] = type(error).__name__
                record["message"] = str(error)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases (transformers {transformers.__version__}, jinja2 {jinja2.__version__}{note})",
          file=sys.stderr)
