"""Vault throughput: seal / unseal / blind-index values per second.

Run ``KINGA_ENV=test .venv/bin/python bench/bench_vault.py`` (prints JSON; ``--out
FILE`` also writes it), or import ``run()``. Uses fresh random keys, never the
configured ones, and fictional text only.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

NAME = "Mwanajuma Kadzo Tsuma"[:20]  # a typical 20-character name
NARRATIVE = ("Synthetic narrative for benchmarking only; no real person. " * 40)[
    :2048
]  # a 2 KB case narrative
CONTEXT = "bench.record.field"
MIN_SECONDS = 0.5


def _ensure_django() -> None:
    os.environ.setdefault("KINGA_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _rate(work: Callable[[], object], *, min_seconds: float = MIN_SECONDS) -> float:
    """Calls per second: double the batch until one batch takes ``min_seconds``."""
    for _ in range(100):
        work()  # warm up
    n = 1000
    while True:
        start = time.perf_counter()
        for _ in range(n):
            work()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return n / elapsed
        n *= 2


def run(*, min_seconds: float = MIN_SECONDS) -> dict[str, object]:
    _ensure_django()
    from kinga.vault.blind import name_tokens, phone_index
    from kinga.vault.crypto import blind_index, seal, unseal
    from kinga.vault.keyring import KEY_BYTES, KeyRing

    ring = KeyRing(active_id="bench", keys={"bench": os.urandom(KEY_BYTES)})
    index_key = os.urandom(KEY_BYTES)
    sealed_name = seal(NAME, context=CONTEXT, ring=ring)
    sealed_narrative = seal(NARRATIVE, context=CONTEXT, ring=ring)

    def per_second(work: Callable[[], object]) -> int:
        return round(_rate(work, min_seconds=min_seconds))

    results = {
        "seal_name_20c_per_s": per_second(lambda: seal(NAME, context=CONTEXT, ring=ring)),
        "unseal_name_20c_per_s": per_second(
            lambda: unseal(sealed_name, context=CONTEXT, ring=ring)
        ),
        "seal_narrative_2kb_per_s": per_second(lambda: seal(NARRATIVE, context=CONTEXT, ring=ring)),
        "unseal_narrative_2kb_per_s": per_second(
            lambda: unseal(sealed_narrative, context=CONTEXT, ring=ring)
        ),
        "blind_index_per_s": per_second(lambda: blind_index(NAME, purpose="bench", key=index_key)),
        "phone_index_per_s": per_second(lambda: phone_index("0712 345 678")),
        "name_tokens_per_s": per_second(lambda: name_tokens(NAME)),
    }
    return {
        "benchmark": "vault",
        "unit": "values per second (higher is better)",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": results,
    }


def main(argv: list[str]) -> int:
    result = run()
    text = json.dumps(result, indent=2)
    print(text)
    if len(argv) == 2 and argv[0] == "--out":
        Path(argv[1]).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
