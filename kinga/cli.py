"""The ``kinga`` command: one entry point for running, maintaining and analysing.

kinga serve [--host H] [--port P] [--workers N]   serve the web app (gunicorn)
kinga demo [--seed N] [--if-empty]                load the synthetic demo, print logins
kinga worker                                      run background tasks
kinga audit verify                                check the audit hash chain
kinga keys rotate [--batch-size N] [--dry-run]    re-seal values under the newest key
kinga keys new                                    print a fresh key for the environment
kinga stats …                                     estimators (no database needed)
kinga manage …                                    any Django management command
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")
    import django

    django.setup()


def _call(name: str, *args: str) -> int:
    from django.core.management import call_command

    try:
        call_command(name, *args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _serve(args: argparse.Namespace) -> int:
    _django()
    from django.conf import settings
    from django.core.management import call_command
    from gunicorn.app.wsgiapp import WSGIApplication

    # Fails fast on a wrong field key or an unmigrated database, before taking requests.
    call_command("check", databases=["default"], tags=["database"])

    argv = [
        "gunicorn",
        "kinga.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        # The access log records the path only: identity never travels in URLs.
        "--access-logformat",
        '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
    ]
    if settings.DEBUG:
        argv.append("--reload")
    print(f"Kinga is at http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)
    sys.argv = argv
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
    return 0


def _demo(args: argparse.Namespace) -> int:
    _django()
    from kinga.demo.generator import load_demo, print_logins

    load_demo(seed=args.seed, if_empty=args.if_empty)
    print_logins()
    return 0


def _worker(args: argparse.Namespace) -> int:
    _django()
    from kinga.accounts.tasks import schedule_housekeeping

    schedule_housekeeping()
    return _call("db_worker")


def _keys(args: argparse.Namespace) -> int:
    if args.keys_command == "new":
        from kinga.vault.keyring import new_key_text

        print(new_key_text())
        return 0
    _django()
    extra = ["--batch-size", str(args.batch_size)]
    if args.max_batches:
        extra += ["--max-batches", str(args.max_batches)]
    if args.dry_run:
        extra.append("--dry-run")
    return _call("vault_rotate", *extra)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kinga", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(run=_serve)

    demo = sub.add_parser("demo", help="load the synthetic demo data and print the logins")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing if the demo is already loaded"
    )
    demo.set_defaults(run=_demo)

    worker = sub.add_parser("worker", help="run background tasks")
    worker.set_defaults(run=_worker)

    audit = sub.add_parser("audit", help="audit trail tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check the hash chain; exit 1 at the first broken link")
    audit.set_defaults(run=lambda a: (_django(), _call("audit_verify"))[1])

    keys = sub.add_parser("keys", help="field-encryption keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser(
        "rotate", help="re-seal every value under the newest key (resumable)"
    )
    rotate.add_argument("--batch-size", type=int, default=500)
    rotate.add_argument("--dry-run", action="store_true")
    rotate.add_argument(
        "--max-batches", type=int, default=0, help="stop after N batches (resume later)"
    )
    keys_sub.add_parser("new", help="print a fresh random key")
    keys.set_defaults(run=_keys)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # These two pass everything after them straight through.
    if argv and argv[0] == "stats":
        from kinga.stats.cli import main as stats_main

        return stats_main(argv[1:])
    if argv and argv[0] == "manage":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["kinga manage", *argv[1:]])
        return 0
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except Exception as exc:  # start-up configuration errors: one clear line, no traceback
        from django.core.exceptions import ImproperlyConfigured

        if isinstance(exc, ImproperlyConfigured):
            print(f"kinga: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    raise SystemExit(main())
