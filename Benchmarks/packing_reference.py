#!/usr/bin/env python3
"""Reference timing for PackingBench: best-fit decreasing in pure Python with a segment tree
over remaining capacities (the approach of TRL's `pack_dataset(strategy="bfd")`), on lengths
drawn like make_workload.py (log-normal, median ~300, capped).

    python3 Benchmarks/packing_reference.py [COUNT] [CAPACITY]

Prints one JSON line; compare its seconds with PackingBench's bfd "seconds_median" from the
same machine and session.
"""
import json, random, sys, time

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
capacity = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
rng = random.Random(11)
lengths = [max(8, min(capacity, int(rng.lognormvariate(5.7, 0.8)))) for _ in range(count)]

start = time.perf_counter()
size = 1
while size < capacity + 1:
    size *= 2
tree = [0] * (2 * size)          # max over "a bin with this remaining capacity exists" (value = capacity index)
bins_at = [[] for _ in range(capacity + 1)]


def update(remaining, present):
    node = remaining + size
    tree[node] = remaining if present else 0
    node //= 2
    while node:
        tree[node] = max(tree[2 * node], tree[2 * node + 1])
        node //= 2


def smallest_at_least(needed):
    # Leftmost leaf >= needed whose value is set: descend with a range restriction.
    def search(node, lo, hi):
        if hi < needed or tree[node] == 0:
            return None
        if lo == hi:
            return lo
        mid = (lo + hi) // 2
        found = search(2 * node, lo, mid)
        return found if found is not None else search(2 * node + 1, mid + 1, hi)
    return search(1, 0, size - 1)


loads = []
for index in sorted(range(count), key=lambda i: -lengths[i]):
    n = lengths[index]
    room = smallest_at_least(n)
    if room is None:
        loads.append(n)
        bin_id, left = len(loads) - 1, capacity - n
    else:
        bin_id = bins_at[room].pop()
        if not bins_at[room]:
            update(room, False)
        loads[bin_id] += n
        left = room - n
    if left > 0:
        if not bins_at[left]:
            update(left, True)
        bins_at[left].append(bin_id)
elapsed = time.perf_counter() - start
tokens = sum(lengths)
print(json.dumps({"run": "python-bfd", "sequences": count, "capacity": capacity, "bins": len(loads),
                  "lower_bound_bins": -(-tokens // capacity), "efficiency": tokens / (len(loads) * capacity), "seconds": round(elapsed, 3)}))
