"""The loop both Python test scripts share: runs each `test_*` function with one context, prints
`ok NAME (S s)` or `FAIL NAME` with the traceback, and `N tests passed` at the end."""
import shutil
import tempfile
import time
import traceback


def run_tests(tests, make_context, scratch_prefix):
    """Runs `tests` ((name, function) pairs), each given `make_context(scratch)`'s context, in a
    scratch folder removed afterwards. Returns the exit status: 0, or 1 at the first failure."""
    scratch = tempfile.mkdtemp(prefix=scratch_prefix)
    try:
        context = make_context(scratch)
        for name, test in tests:
            started = time.monotonic()
            try:
                test(context)
            except Exception:
                print(f"FAIL {name}\n{traceback.format_exc()}")
                return 1
            print(f"ok {name} ({time.monotonic() - started:.1f} s)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(tests)} tests passed")
    return 0
