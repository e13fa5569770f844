"""Writes about 2 MB of Python source from the standard library (sorted file order, so the
corpus is the same on every machine with the same Python) to the given path."""
import os
import sys
import sysconfig

out, limit = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
root = sysconfig.get_paths()["stdlib"]
parts, size = [], 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "test", "tests", "__pycache__"))
    for name in sorted(filenames):
        if not name.endswith(".py"):
            continue
        try:
            data = open(os.path.join(dirpath, name), encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        parts.append(data)
        size += len(data.encode("utf-8"))
        if size >= limit:
            break
    if size >= limit:
        break
text = "".join(parts)
encoded = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
open(out, "w", encoding="utf-8").write(encoded)
print(f"{len(encoded.encode('utf-8'))} bytes from {root}")
