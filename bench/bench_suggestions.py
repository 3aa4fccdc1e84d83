"""Fuzzy suggestions for unknown names: the trigram prefilter against a full rapidfuzz scan.

For the titles, actors and directors of a built catalog, 300 misspelt names (1-2 random edits
of a real one) and 300 random strings: how often the prefiltered answer equals the full
`process.extract` scan's (whole list, first suggestion, overlap of the five) and the CPU time per
name of each, plus the one-off time to build the trigram index.

Run:  .venv/bin/python bench/bench_suggestions.py --catalog /tmp/cat_45466 [--count 300]
"""

from __future__ import annotations

import argparse
import random
import string
import time
from pathlib import Path

from rapidfuzz import fuzz, process

from filmoteca.catalog import Catalog
from filmoteca.catalog.fuzzy import CloseNames


def _typo(text: str, rnd: random.Random) -> str:
    chars = list(text)
    for _ in range(rnd.randint(1, 2)):
        i = rnd.randrange(len(chars))
        edit = rnd.randrange(3)
        if edit == 0 and len(chars) > 1:
            del chars[i]
        elif edit == 1:
            chars.insert(i, rnd.choice(string.ascii_lowercase))
        else:
            chars[i] = rnd.choice(string.ascii_lowercase)
    return "".join(chars)


def _garbage(rnd: random.Random) -> str:
    words = rnd.randint(1, 3)
    return " ".join(
        "".join(rnd.choices(string.ascii_lowercase, k=rnd.randint(3, 9))) for _ in range(words)
    )


def _compare(names: CloseNames, queries: list[str]) -> str:
    same = first = 0
    overlap = fast_s = full_s = 0.0
    for key in queries:
        start = time.process_time()
        fast = names.closest(key, 5)
        fast_s += time.process_time() - start
        start = time.process_time()
        found = process.extract(key, names.choices, scorer=fuzz.QRatio, limit=5, score_cutoff=50)
        full = [choice for choice, _, _ in found]
        full_s += time.process_time() - start
        same += fast == full
        first += fast[:1] == full[:1]
        overlap += len(set(fast) & set(full)) / max(len(full), 1)
    n = len(queries)
    return (
        f"iguales {same:3}/{n}  primera {first:3}/{n}  solape {overlap / n:4.2f}  "
        f"prefiltro {fast_s / n * 1e6:6.0f} µs  completo {full_s / n * 1e6:6.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    catalog = Catalog.load(args.catalog)
    rnd = random.Random(7)
    lists = {
        "títulos": catalog._title_choices,
        "actores": catalog._actor_choices,
        "directores": catalog._director_choices,
    }
    for label, names in lists.items():
        start = time.process_time()
        names.prepare()
        build_ms = (time.process_time() - start) * 1e3
        typos = [_typo(rnd.choice(names.choices), rnd) for _ in range(args.count)]
        garbage = [_garbage(rnd) for _ in range(args.count)]
        print(f"{label:10} {len(names):6} nombres, índice {build_ms:5.0f} ms")
        print(f"  erratas  {_compare(names, typos)}")
        print(f"  basura   {_compare(names, garbage)}")


if __name__ == "__main__":
    main()
