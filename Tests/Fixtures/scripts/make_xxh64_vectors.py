"""XXH64 test vectors for Collate's own XXH64 (Sources/CollateData/Export/_XXHash64.swift), the hash
of the export fingerprint. Reference: the `xxhash` Python package (4.1.0, the C xxHash library).

    /tmp/refenv/bin/python Tests/Fixtures/scripts/make_xxh64_vectors.py

Prints Swift literals for Tests/CollateDataTests/FingerprintTests.swift: every input length
0...80 (each branch: < 4, < 8, < 32, stripes of 32 with every tail), plus 1,000 bytes, with
seeds 0 and XXH64's prime 5. Input i has byte k = (k * 31 + i) % 251.
"""
import xxhash

SEEDS = [0, 0x27D4EB2F165667C5]


def data(length):
    return bytes((k * 31 + length) % 251 for k in range(length))


def main():
    print(f"// python-xxhash {xxhash.VERSION}, C xxHash {getattr(xxhash, 'XXHASH_VERSION', '?')}")
    for length in list(range(81)) + [1000]:
        digests = ", ".join(f"0x{xxhash.xxh64(data(length), seed=seed).intdigest():016X}" for seed in SEEDS)
        print(f"({length}, [{digests}]),")


if __name__ == "__main__":
    main()
