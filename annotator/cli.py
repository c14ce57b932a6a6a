"""The `annotator` command line: a thin layer over the core (DESIGN section 7).

Exit codes: 0 success, 1 bad input (each problem on stderr as `file:line: field: what is wrong`), 2 a usage
error. `--json` prints one JSON object and nothing else on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from . import __version__
from .core.errors import AnnotatorError, InputError, UsageError


# --- output helpers -----------------------------------------------------------------------------------
def _err(message: str) -> None:
    print(message, file=sys.stderr)


class TerminalProgress:
    """A one-line progress indicator on stderr, drawn only when stderr is a terminal (at most 10 times a second)."""

    def __init__(self, label: str):
        self.label = label
        self.active = sys.stderr.isatty()
        self._last = 0.0

    def bytes(self, done: int, total: int) -> None:
        if not self.active or time.monotonic() - self._last < 0.1:
            return
        self._last = time.monotonic()
        share = done / total if total else 1.0
        sys.stderr.write(f"\r{self.label}: {share:6.1%} ({done / 1e6:.1f} of {total / 1e6:.1f} MB)")
        sys.stderr.flush()

    def steps(self, done: int, total: int) -> None:
        if not self.active or time.monotonic() - self._last < 0.1:
            return
        self._last = time.monotonic()
        sys.stderr.write(f"\r{self.label}: {done} of {total}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.active:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _open(path: str, read_only: bool = False):
    from .core.store import Project

    return Project.open(path, read_only=read_only)


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False))


# --- commands -------------------------------------------------------------------------------------------
def cmd_init(args) -> int:
    from .core.errors import Problem, TaxonomyClash
    from .core.store import Project
    from .core.taxonomy import line_of_field, load_taxonomy

    taxonomies = [load_taxonomy(t) for t in args.taxonomy] if args.taxonomy else None
    with Project.create(args.project, taxonomies=taxonomies) as project:
        existed = not project.created
        if existed and taxonomies:
            try:  # one transaction: every named taxonomy goes in, or none does
                project.db.write(lambda conn: [project.taxonomies.add_in(conn, tax) for tax in taxonomies])
            except TaxonomyClash as exc:
                source = next(arg for arg, tax in zip(args.taxonomy, taxonomies) if tax.id == exc.taxonomy_id)
                raise InputError(Problem(source, line_of_field(source, "id"), "id", str(exc))) from None
        print(f"{'opened' if existed else 'created'} {args.project} with taxonomies: "
              f"{', '.join(project.taxonomies.ids())}")
    return 0


def cmd_import(args) -> int:
    progress = TerminalProgress("importing")
    with _open(args.project) as project:
        def chosen(path: str, name: str) -> None:
            how = "auto" if args.format == "auto" else "named"
            _err(f"{path}: format {name} ({how})")

        try:
            summary = project.import_items(args.files, fmt=args.format, progress=progress.bytes, chosen=chosen)
        finally:
            progress.close()
    print(summary.line())
    return 0


def cmd_check(args) -> int:
    from .core.formats import check_files

    def chosen(path: str, name: str) -> None:
        _err(f"{path}: format {name} ({'auto' if args.format == 'auto' else 'named'})")

    problems = check_files(args.files, fmt=args.format, chosen=chosen)
    if problems:
        raise InputError(problems)
    print(f"{len(args.files)} file(s) look fine")
    return 0


PRINTED_PROBLEMS = 100  # beyond this a list of problems is a wall of text: the first ones and a count say enough


def _print_some_problems(exc: InputError) -> int:
    """The first problems of a bad input, then how many more there are, then the usual closing line."""
    for problem in exc.problems[:PRINTED_PROBLEMS]:
        _err(str(problem))
    rest = len(exc.problems) - PRINTED_PROBLEMS
    if rest > 0:
        _err(f"... and {rest:,} more")
    _err(f"nothing was changed ({len(exc.problems):,} problem{'s' if len(exc.problems) != 1 else ''})")
    return 1


def cmd_labels_import(args) -> int:
    from .core.labels_csv import import_labels_csv

    with _open(args.project) as project:
        try:
            summary = import_labels_csv(project, args.files)
        except InputError as exc:
            return _print_some_problems(exc)
    print(summary.line())
    return 0


class _TerminateAsExit:
    """SIGTERM (`kill`, a logout) ends the command as Ctrl+C does, through the cleanup of the file it was
    writing: by default it stops the interpreter where it stands and leaves the temporary file behind."""

    def __enter__(self) -> None:
        import signal
        import threading

        self._installed = threading.current_thread() is threading.main_thread()  # where Python allows it
        if self._installed:
            self._previous = signal.signal(signal.SIGTERM, self._stop)

    @staticmethod
    def _stop(signum, _frame) -> None:
        raise SystemExit(128 + signum)

    def __exit__(self, *_exc) -> None:
        import signal

        if self._installed:
            signal.signal(signal.SIGTERM, self._previous if self._previous is not None else signal.SIG_DFL)


def cmd_export(args) -> int:
    from .core.export import export_labels_csv

    with _TerminateAsExit(), _open(args.project, read_only=True) as project:
        if args.taxonomy:
            project.taxonomies.get(args.taxonomy)
        rows = export_labels_csv(project, args.output, wide=args.wide, gold=args.gold, taxonomy=args.taxonomy,
                                 annotator=args.annotator, done_only=args.done_only)
    print(f"wrote {rows} rows to {args.output}")
    return 0


def cmd_items_export(args) -> int:
    from .core.export import export_items_jsonl

    with _TerminateAsExit(), _open(args.project, read_only=True) as project:
        n = export_items_jsonl(project, args.output)
    print(f"wrote {n} items to {args.output}")
    return 0


def cmd_merge(args) -> int:
    from .core.merge import merge_projects

    with _open(args.project) as project:
        print(merge_projects(project, args.others).line())
    return 0


def cmd_info(args) -> int:
    from .core.store.info import project_info

    info = project_info(args.project)
    if args.json:
        _print_json(info)
        return 0
    items = info["items"]
    print(f"items: {sum(items.values())} ({', '.join(f'{n} {k}' for k, n in items.items())})")
    print(f"taxonomies: {', '.join(info['taxonomies'])}")
    print(f"annotators: {', '.join(info['annotators']) or 'none yet'}")
    print(f"labels: {info['labels']}")
    for ann, per in info["done"].items():
        print(f"  {ann} done: " + ", ".join(f"{t} {n}" for t, n in per.items()))
    for ann, plan in info.get("assignments", {}).items():
        done = ", ".join(f"{t} {n}" for t, n in plan["done"].items()) or "nothing done yet"
        print(f"  {ann} assigned {plan['assigned']} ({plan['shared']} calibration): {done}")
    return 0


def cmd_predictions_import(args) -> int:
    from .core.predictions_io import import_predictions

    with _open(args.project) as project:
        print(import_predictions(project, args.files, metric=args.metric).line())
    return 0


def cmd_demo(args) -> int:
    from .core.sample import build_sample_project

    path = build_sample_project(args.path, fresh=args.fresh, progress=_err)
    if args.no_gui:
        print(path)
        return 0
    return _run_gui(str(path), args.annotator)


def cmd_gui(args) -> int:
    return _run_gui(args.project, args.annotator)


def _run_gui(project: str | None, annotator: str | None = None) -> int:
    try:
        from .gui.app import run_app
    except ImportError as exc:  # Qt cannot load on this machine
        _err(f"the desktop app cannot start here: {exc}")
        return 1
    return run_app(project, annotator=annotator)


def _looks_like_project(word: str) -> bool:
    if word.startswith("-"):
        return False
    return "://" in word or word.endswith((".sqlite", ".db", ".sqlite3")) or Path(word).is_file()


# --- the parser ---------------------------------------------------------------------------------------
class _FormatHelp:
    """`--format` help from the adapters themselves, so a new format shows up without an edit here. Read only
    when argparse prints it: building the parser must not import the adapters (and pydantic with them), or
    every command would pay for it at start-up."""

    def _text(self) -> str:
        from .core.formats.registry import format_help

        return f"auto (default: told by the fields) or one of: {format_help()}"

    def __mod__(self, params: dict) -> str:
        return self._text() % params

    def __str__(self) -> str:
        return self._text()

    def strip(self, chars: str | None = None) -> str:
        return self._text().strip(chars)

    def __contains__(self, part: str) -> bool:
        return part in self._text()

    def __bool__(self) -> bool:
        return True


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Annotate rubrics, captions and reasoning traces; measure agreement and metric F1.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="build the sample project and open it")
    p.add_argument("--path", help="where to build it (default: your data folder)")
    p.add_argument("--fresh", action="store_true", help="rebuild it from scratch")
    p.add_argument("--no-gui", action="store_true", help="build it and print its path, without opening the app")
    p.add_argument("--annotator", metavar="NAME", help="annotate under this name (remembered)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("gui", help="open a project in the app")
    p.add_argument("project")
    p.add_argument("--annotator", metavar="NAME", help="annotate under this name (remembered)")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("init", help="create a project")
    p.add_argument("project", help="a .sqlite path or a database URL")
    p.add_argument("--taxonomy", action="append", metavar="ID_OR_FILE",
                   help="a taxonomy to include (repeatable; default: every built-in one)")
    p.set_defaults(func=cmd_init)

    format_help = _FormatHelp()
    p = sub.add_parser("import", help="import item files (all or nothing)")
    p.add_argument("project")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default="auto", help=format_help)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("check", help="validate input files and change nothing")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default="auto", help=format_help)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("labels", help="labels files")
    lsub = p.add_subparsers(dest="labels_command", metavar="ACTION", required=True)
    q = lsub.add_parser("import", help="merge other annotators' labels CSV files")
    q.add_argument("project")
    q.add_argument("files", nargs="+", metavar="FILE.csv")
    q.set_defaults(func=cmd_labels_import)

    p = sub.add_parser("export", help="export labels as CSV")
    p.add_argument("project")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csv")
    p.add_argument("--wide", action="store_true", help="one row per item, target and annotator; a column per label")
    p.add_argument("--gold", action="store_true", help="export the adjudicated gold labels")
    p.add_argument("--done-only", action="store_true",
                   help="only finished work (by default unfinished labels are written too, with done=false)")
    p.add_argument("--taxonomy", metavar="ID")
    p.add_argument("--annotator", metavar="NAME")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("items", help="items")
    isub = p.add_subparsers(dest="items_command", metavar="ACTION", required=True)
    q = isub.add_parser("export", help="every item as canonical JSONL")
    q.add_argument("project")
    q.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    q.set_defaults(func=cmd_items_export)

    p = sub.add_parser("merge", help="merge whole projects from other laptops")
    p.add_argument("project")
    p.add_argument("others", nargs="+", metavar="OTHER.sqlite")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("info", help="what the project holds")
    p.add_argument("project")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("predictions", help="metric predictions")
    psub = p.add_subparsers(dest="predictions_command", metavar="ACTION", required=True)
    q = psub.add_parser("import", help="import a predictions CSV or RIFT-style result JSONL")
    q.add_argument("project")
    q.add_argument("files", nargs="+", metavar="FILE")
    q.add_argument("--metric", help="the metric's name (default: the file's metric column)")
    q.set_defaults(func=cmd_predictions_import)

    from .cli_stats import register
    from .cli_team import register as register_team

    register(sub)
    register_team(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 1 and _looks_like_project(argv[0]):
        argv = ["gui", argv[0]]  # `annotator team.sqlite`, as a desktop entry or a file manager calls it
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        return _run_gui(None)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        for problem in exc.problems:
            _err(str(problem))
        _err(f"nothing was changed ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''})")
        return 1
    except UsageError as exc:
        _err(f"usage error: {exc}")
        return 2
    except AnnotatorError as exc:
        _err(f"error: {exc}")
        return 1
    except BrokenPipeError:  # the reader of our output went away (`annotator info x | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an unreadable input or an unwritable output: say which file, no traceback
        where = exc.filename or ""
        _err(f"error: {where}: {exc.strerror or exc}" if where else f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted: nothing from the unfinished step was saved")
        return 130
    except Exception as exc:  # the last resort: one plain line, the traceback only when asked for
        from .core.faults import debugging, plain_message

        if debugging():
            raise
        project = getattr(args, "project", None)
        _err(f"error: {plain_message(exc, str(project) if project else None)} (ANNOTATOR_DEBUG=1 shows the "
             "details)")
        return 1


if __name__ == "__main__":
    sys.exit(main())

