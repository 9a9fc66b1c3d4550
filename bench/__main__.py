"""``make bench``: run every benchmark and write one JSON file each to bench/results/.

    python -m bench              # all
    python -m bench pages vault  # some

Each ``bench/bench_<name>.py`` exposes ``run() -> dict``. Benchmarks that need the
database use ``DATABASE_URL`` (default: a throw-away SQLite file under var/).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def main(names: list[str]) -> int:
    os.environ.setdefault("KINGA_ENV", "test")
    os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")
    RESULTS.mkdir(exist_ok=True)
    failed = 0
    for name in names or _available():
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        try:
            result = module.run()
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            print(f"bench {name}: FAILED {exc!r}", file=sys.stderr)
            failed += 1
            continue
        record = {
            "benchmark": name,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "database": os.environ["DATABASE_URL"].split("://", 1)[0],
            "seconds": round(time.perf_counter() - started, 3),
            "result": result,
        }
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        print(f"bench {name}: {json.dumps(result, sort_keys=True)}  -> {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
