#!/usr/bin/env python3
"""tiktoken's single-threaded speed on a list of texts, for `condenser bench tokenizer`.

Usage: tiktoken_bench.py --texts FILE.json [--rank-dir DIR ...] [--seconds S]
FILE.json holds a JSON array of strings. Rank files are read from the first --rank-dir that
has `<name>.tiktoken.zlib` (the copies Condenser ships) or `<name>.tiktoken`, so no download
is needed. Prints one JSON object: {"tiktoken": version, "encodings": {name: {"mb_per_s",
"mb_per_cpu_s", "tokens_per_s", "tokens", "seconds"}}}, or {"error": ...} when tiktoken is missing.
"""
import argparse
import base64
import json
import os
import sys
import time
import zlib

PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]),
}


def load_ranks(name, directories):
    for directory in directories:
        for suffix, inflate in ((".tiktoken.zlib", True), (".tiktoken", False)):
            path = os.path.join(directory, name + suffix)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    data = f.read()
                if inflate:
                    data = zlib.decompress(data)
                ranks = {}
                for line in data.splitlines():
                    if line:
                        token, rank = line.split()
                        ranks[base64.b64decode(token)] = int(rank)
                return ranks
    raise FileNotFoundError(f"no {name} rank file in {directories}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", required=True)
    parser.add_argument("--rank-dir", action="append", default=[])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    try:
        import tiktoken
    except ImportError:
        print(json.dumps({"error": "tiktoken is not installed; install it with `pip install tiktoken`"}))
        return 0
    with open(args.texts, encoding="utf-8") as f:
        texts = json.load(f)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    results = {}
    for name, pattern in PATTERNS.items():
        ranks = load_ranks(name, args.rank_dir or ["."])
        encoding = tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
        tokens = sum(len(encoding.encode_ordinary(t)) for t in texts)  # warm-up, and the total
        rounds, start, cpu_start = 0, time.perf_counter(), time.thread_time()
        while True:
            for t in texts:
                encoding.encode_ordinary(t)
            rounds += 1
            elapsed = time.perf_counter() - start
            if elapsed >= args.seconds:
                break
        cpu = time.thread_time() - cpu_start
        results[name] = {
            "mb_per_s": megabytes * rounds / elapsed,
            "mb_per_cpu_s": megabytes * rounds / cpu,
            "tokens_per_s": tokens * rounds / elapsed,
            "tokens": tokens,
            "seconds": elapsed,
        }
    print(json.dumps({"tiktoken": tiktoken.__version__, "encodings": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
