"""What the Python test scripts share: the loop that runs each `test_*` function with one context,
printing `ok NAME (S s)` or `FAIL NAME` with the traceback and `N tests passed` at the end, and the
skip line of a script whose modules do not import."""
import importlib
import shutil
import sys
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


def skip_unless_importable(modules, needs):
    """Imports each of `modules`; at the first that fails, prints the skip line (what failed and how
    to enable the tests: the worker's requirements, or a Python that has `needs`) and exits 0."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as error:
            print(f"skipped: cannot import {error.name or error} with {sys.executable} ({error}); enable these tests with "
                  f"`{sys.executable} -m pip install -r Sources/CollateBackends/Worker/requirements.txt`, or run them with a Python "
                  f"that has {needs}")
            sys.exit(0)
