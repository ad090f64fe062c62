"""The `periodic-operator` command: `plan` (dry run on manifest files) and `run`.

    periodic-operator plan FILE... [--now RFC3339] [--namespace NS] [--<setting> VALUE]...

`plan` prints one JSON line per PeriodicTask in document order (other kinds are skipped;
`-` reads stdin), one stderr line per invalid task, and exits 0 (all valid), 1 (any
invalid) or 2 (usage, unreadable file, bad YAML, bad setting — one line on stderr, no
stdout). Settings come from `PERIODIC_*` env variables, overridden by `--kebab-case`
flags of the same name and format. kopf is imported only by `run`, never at import time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .plan import identity, is_periodic_task, plan_task
from .settings import Settings, env_var, field_names, from_env, from_strings, unknown_env

PROG = "periodic-operator"
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or unreadable input: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one readable line instead of usage + error
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _setting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (each also from env PERIODIC_<NAME>)")
    for name in field_names():
        group.add_argument(f"--{name.replace('_', '-')}", dest=f"setting_{name}",
                           metavar="VALUE", help=f"overrides ${env_var(name)}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Runs periodic tasks as CronJobs or tickers.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    plan = commands.add_parser("plan", help="print what the operator would apply, as JSON Lines")
    plan.add_argument("files", nargs="+", metavar="FILE", help="manifest files ('-' = stdin)")
    plan.add_argument("--now", metavar="RFC3339", help="the time to plan at (default: now)")
    plan.add_argument("--namespace", default="default",
                      help="namespace of manifests that name none (default: default)")
    _setting_flags(plan)
    run = commands.add_parser("run", help="run the operator (kopf, standalone) until SIGINT/SIGTERM")
    run.add_argument("--namespace", action="append", dest="namespaces", default=[], metavar="NS",
                     help="watch only this namespace (repeatable; default: all namespaces)")
    run.add_argument("--liveness", metavar="URL", default=None,
                     help="kopf's liveness endpoint, e.g. http://0.0.0.0:8080/healthz")
    _setting_flags(run)
    return parser


def settings_from(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """Settings from `PERIODIC_*` in `environ`, each overridden by its flag (same text format)."""
    flags = {name: value for name in field_names()
             if (value := getattr(args, f"setting_{name}", None)) is not None}
    try:
        return from_strings(flags, base=from_env(environ), label="--{name}")
    except ValueError as error:
        # Name the flag as typed: `--renew-deadline`, not the field `renew_deadline`.
        message = re.sub(r"--(\w+)", lambda m: "--" + m[1].replace("_", "-"), str(error))
        raise UsageError(f"{PROG}: bad setting: {message}") from None


def parse_now(text: str | None) -> datetime:
    """`--now` as an aware UTC datetime; the real clock when absent."""
    if text is None:
        return datetime.now(timezone.utc)
    try:
        value = datetime.fromisoformat(text.upper())
    except ValueError:
        raise UsageError(f"{PROG}: --now {text!r} is not an RFC 3339 time") from None
    if value.tzinfo is None:
        raise UsageError(f"{PROG}: --now {text!r} needs a UTC offset, e.g. 2024-07-01T00:00:00Z")
    if not 1970 <= value.year < 9000:
        # Next run times look years ahead (robfig/cron searches 5); Python's calendar ends at 9999.
        raise UsageError(f"{PROG}: --now {text!r} must be between 1970 and 9000")
    return value.astimezone(timezone.utc)


def _read(path: str) -> str:
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UsageError(f"{PROG}: cannot read {path}: {reason}") from None


def _documents(path: str) -> list[Any]:
    try:
        documents = list(yaml.safe_load_all(_read(path)))
    except RecursionError:
        raise UsageError(f"{PROG}: {path}: YAML nested too deeply to read") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise UsageError(f"{PROG}: {path}:{where}: bad YAML: {problem}") from None
    return documents


def _tasks(documents: Sequence[Any]) -> Iterator[Mapping[str, Any]]:
    """PeriodicTasks in document order, items of a `kind: List` included."""
    for document in documents:
        if isinstance(document, Mapping) and document.get("kind") == "List":
            yield from _tasks(document.get("items") or [])
        elif is_periodic_task(document):
            yield document


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plan(args: argparse.Namespace) -> int:
    now = parse_now(args.now)
    settings = settings_from(args, os.environ)
    loaded = [(path, _documents(path)) for path in args.files]  # all input read before output
    code = EXIT_OK
    for path, documents in loaded:
        for obj in _tasks(documents):
            plan = plan_task(obj, settings, now, default_namespace=args.namespace)
            print(json.dumps(plan.to_line(), ensure_ascii=False), flush=True)
            if not plan.valid:
                code = EXIT_INVALID
                namespace, name = identity(obj, args.namespace)
                print(_one_line(f"{path}: {namespace}/{name or '<no name>'}: invalid "
                                f"({plan.decision}): {plan.reason}"), file=sys.stderr)
    return code


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args, os.environ)
    for name in unknown_env(os.environ):
        print(f"{PROG} run: warning: {name} is not a setting (typo?); ignored", file=sys.stderr)
    # kopf is imported here and only here: `plan` must work without it loading.
    from . import handlers

    handlers.run(settings, namespaces=args.namespaces, liveness_endpoint=args.liveness)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """The console entry point; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
        return _plan(args) if args.command == "plan" else _run(args)
    except UsageError as error:
        print(_one_line(str(error)), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `plan … | head`: stop quietly, as other CLIs do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
