"""Command-line commands that compute figures: agreement, F1, the alternative annotator test, metric runs and
the LLM judge. Kept apart from `cli.py` so the everyday commands start without loading the statistics."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from .core.errors import InputError, NotFound, Problem, UsageError


def _progress(label: str):
    from .cli import TerminalProgress

    return TerminalProgress(label)


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False))


def _write_html(path: str, text: str) -> None:
    from .core.export import atomic_path

    with atomic_path(path, ".html") as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def _annotators(arg: str | None) -> list[str] | None:
    if not arg:
        return None
    names = [a.strip() for a in arg.split(",") if a.strip()]
    if len(names) < 2:
        raise UsageError("--annotators needs at least two names, comma-separated")
    return names


def _in_range(name: str, value: float, low: float, high: float, closed: bool = True) -> None:
    """A number option outside its range is a usage error (exit 2, one line), not a traceback."""
    inside = low <= value <= high if closed else low < value < high
    if not inside:
        bounds = f"[{low}, {high}]" if closed else f"({low}, {high})"
        raise UsageError(f"{name} must lie in {bounds}, got {value}")


def _at_least(name: str, value: int, low: int) -> None:
    if value < low:
        raise UsageError(f"{name} must be at least {low}, got {value}")


def _choice(data, args, humans: set[str] | None):
    """Whose work counts (DESIGN 10.3): the named annotators, else humans with at least --min-items items."""
    from .core.stats.selection import choose_annotators

    _at_least("--min-items", args.min_items, 1)
    choice = choose_annotators(data, _annotators(args.annotators), args.min_items, humans)
    if not choice.chosen:
        counts = ", ".join(f"{name} ({n})" for name, n in choice.left_out.items()) or "nobody"
        raise NotFound(f"no human annotator finished {args.min_items} items of taxonomy {data.taxonomy.id!r} "
                       f"(finished: {counts}): lower --min-items or name them with --annotators")
    return choice


def _humans(project) -> set[str] | None:
    return None if project is None else set(project.annotators("human"))


def _csv_taxonomies(paths: list[Path]) -> list[str]:
    from .core.labels_csv import read_label_rows

    seen: list[str] = []
    for path in paths:
        for entry in read_label_rows(path):
            if entry.row.taxonomy not in seen:
                seen.append(entry.row.taxonomy)
    return seen


def label_data_for(source: str, taxonomy: str | None):
    """LabelData from a project or from labels CSV files (`a.csv` or `a.csv,b.csv`), and a closer."""
    from .core.labels_csv import label_data_from_csv
    from .core.taxonomy import load_taxonomy

    parts = [Path(p) for p in source.split(",")] if source.lower().endswith(".csv") else []
    if parts:
        for p in parts:
            if not p.is_file():
                raise InputError(Problem(str(p), 0, "", "no such file"))
        if taxonomy is None:
            found = _csv_taxonomies(parts)
            if not found:
                raise InputError(Problem(str(parts[0]), 0, "", "no labels in the file"))
            if len(found) > 1:
                raise UsageError(f"the file holds several taxonomies ({', '.join(found)}): name one with --taxonomy")
            taxonomy = found[0]
        return label_data_from_csv(parts, load_taxonomy(taxonomy)), None
    from .core.store import Project

    project = Project.open(source, read_only=True)
    try:
        if taxonomy is None:
            taxonomy = _default_taxonomy(project)
        elif taxonomy not in project.taxonomies.ids():
            tax = load_taxonomy(taxonomy)
            taxonomy = tax.id
        return project.label_data(taxonomy), project
    except Exception:
        project.close()
        raise


def _at_level(data, level: str):
    """`--level item` asks whether each item shows a label anywhere (how rubric-level diagnostics label)."""
    return data.at_item_level() if level == "item" else data


def _default_taxonomy(project) -> str:
    """The first of the project's taxonomies that anyone has finished an item in."""
    done = project.completion.done_counts()
    used = {t for per in done.values() for t in per}
    for tid in project.taxonomies.ids():
        if tid in used:
            return tid
    ids = project.taxonomies.ids()
    if not ids:
        raise NotFound("the project has no taxonomy")
    return ids[0]


# --- agreement ------------------------------------------------------------------------------------------
def cmd_agreement(args) -> int:
    from .core.reports.agreement_html import render_agreement_html
    from .core.reports.agreement_text import format_agreement_table
    from .core.stats.agreement import agreement_report, check_options
    from .core.stats.report_extras import anchoring_metrics, check_reliability

    check_options(args.bootstrap, args.min_items, args.min_shared)
    reliability = check_reliability(args.reliability)
    data, project = label_data_for(args.source, args.taxonomy)
    try:
        if args.items:
            data = _with_items(data, project, args.items)
        data = _at_level(data, args.level)
        humans = _humans(project)
        shown = None if project is None else project.suggestions.shown(data.taxonomy.id)
        if shown is None and args.metric:
            raise UsageError("--metric compares work done with and without suggestions: it needs a project")
        metrics = [] if shown is None else anchoring_metrics(data, shown, args.metric)
        progress = _progress("agreement")
        try:
            report = agreement_report(data, annotators=_annotators(args.annotators), n_boot=args.bootstrap,
                                      seed=args.seed, progress=progress.steps, min_items=args.min_items,
                                      min_shared=args.min_shared, humans=humans, reliability=reliability,
                                      shown=shown, anchoring=metrics)
        finally:
            progress.close()
        if args.html:
            _write_html(args.html, render_agreement_html(report, data))
        if args.json:
            _print_json(report)
        else:
            print(format_agreement_table(report))
    finally:
        if project is not None:
            project.close()
    return 0


def _with_items(data, project, paths: list[str]):
    """Labels CSV + the items they label: text lengths for span figures, and every criterion and step as a unit."""
    from .core.formats.reader import read_records
    from .core.stats.spans import with_items

    if project is not None:
        raise UsageError("--items is for a labels CSV: a project already holds its items")
    wanted = set(data.done["item_id"])
    items = {rec.item.id: rec.item for path in paths for rec in read_records(path) if rec.item.id in wanted}
    return with_items(data, items)


# --- F1 (with calibration) ---------------------------------------------------------------------------------
def cmd_f1(args) -> int:
    from .core.reports.f1_html import render_f1_html
    from .core.reports.f1_text import format_f1_table
    from .core.stats.anchoring import anchoring_report
    from .core.stats.f1 import f1_report
    from .core.store import Project

    _in_range("--threshold", args.threshold, 0.0, 1.0)
    with Project.open(args.project, read_only=True) as project:
        taxonomy = args.taxonomy or _metric_taxonomy(project, args.metric)
        data = _at_level(project.label_data(taxonomy), args.level)
        choice = _choice(data, args, _humans(project))
        shown = project.suggestions.shown(data.taxonomy.id)
    if args.metric not in data.metrics:
        raise NotFound(f"metric {args.metric!r} has scored nothing in taxonomy {taxonomy!r} "
                       f"(metrics there: {', '.join(data.metrics) or 'none'})")
    annotators = choice.chosen
    report = {**f1_report(data, args.metric, threshold=args.threshold, annotators=annotators, gold=args.gold),
              "annotators_left_out": choice.left_out,
              "anchoring": anchoring_report(data.restrict(annotators), args.metric, shown,
                                            threshold=args.threshold)}
    if args.html:
        _write_html(args.html, render_f1_html(report, *_f1_extras(data, args.metric, args.threshold, annotators)))
    if args.json:
        _print_json(report | _partitions_or_reason(data, args.threshold, annotators))
    else:
        print(format_f1_table(report))
    return 0


def _f1_extras(data, metric: str, threshold: float, annotators: list[str] | None):
    """The alt-test and the agreement partitions for the F1 page, each left out with a note (on stderr and in
    the page) when the data cannot support it, e.g. a single annotator."""
    from .core.stats.alt_test import alt_test

    skipped: dict[str, str] = {}
    alt = partitions = None
    try:
        alt = alt_test(data, metric, threshold=threshold, annotators=annotators)
    except (NotFound, ValueError) as exc:
        skipped["Alternative annotator test"] = str(exc)
    found = _partitions_or_reason(data, threshold, annotators)
    partitions = found["partitions"]
    if partitions is None:
        skipped["Agreement by kind of pair"] = found["partitions_reason"]
    for name, why in skipped.items():
        print(f"note: {name.lower()} left out of the page: {why}", file=sys.stderr)
    return alt, partitions, skipped


def _partitions_or_reason(data, threshold: float, annotators: list[str] | None) -> dict:
    """The kappa partitions of every metric of the taxonomy for the JSON, or null with the reason the data
    cannot support them (e.g. a single annotator)."""
    from .core.stats.partitions import agreement_partitions

    try:
        return {"partitions": agreement_partitions(data, data.metrics, threshold=threshold, annotators=annotators)}
    except (NotFound, ValueError) as exc:
        return {"partitions": None, "partitions_reason": str(exc)}


def _metric_taxonomy(project, metric: str) -> str:
    for tid in project.taxonomies.ids():
        if metric in project.predictions.metrics(tid):
            return tid
    raise NotFound(f"no metric {metric!r} in the project (metrics: {', '.join(project.predictions.metrics()) or 'none'})")


# --- alternative annotator test -------------------------------------------------------------------------
def cmd_alt_test(args) -> int:
    from .core.reports.alt_test_text import format_alt_test
    from .core.stats.alt_test import alt_test
    from .core.store import Project

    _in_range("--epsilon", args.epsilon, 0.0, 1.0, closed=False)
    _in_range("--q", args.q, 0.0, 1.0, closed=False)
    with Project.open(args.project, read_only=True) as project:
        taxonomy = args.taxonomy or _metric_taxonomy(project, args.metric)
        data = _at_level(project.label_data(taxonomy), args.level)
        choice = _choice(data, args, _humans(project))
    annotators = choice.chosen
    result = {**alt_test(data, args.metric, epsilon=args.epsilon, q=args.q, annotators=annotators),
              "annotators_left_out": choice.left_out}
    if args.gold != "majority":
        from .core.stats.gold_agreement import gold_agreement

        result["gold_agreement"] = gold_agreement(data, args.metric, args.gold, annotators, result["threshold"])
    if args.json:
        _print_json(result | _partitions_or_reason(data, result["threshold"], annotators))
        return 0
    print(format_alt_test(result))
    if "gold_agreement" in result:
        found = result["gold_agreement"]
        print(f"\nagreement with the {args.gold} gold (each human against the others' gold):")
        for name, part in [(args.metric + " (metric)", found["metric"]), *found["humans"].items()]:
            acc = "—" if part["accuracy"] is None else f"{part['accuracy']:.3f}"
            print(f"  {name:<28}{acc:>7}  over {part['decisions']} decisions")
    return 0


# --- metric runs ----------------------------------------------------------------------------------------
def cmd_metrics_run(args) -> int:
    from .core.metric_runs import run_heuristic_metrics
    from .core.store import Project

    if args.taxonomy != "rift":
        raise UsageError("the built-in metrics diagnose rubrics: they run on the rift taxonomy only")
    with Project.open(args.project) as project:
        progress = _progress("scoring rubrics")
        try:
            summary = run_heuristic_metrics(project, progress=progress.steps)
        finally:
            progress.close()
    print(summary.line())
    return 0


# --- LLM judge ------------------------------------------------------------------------------------------
def cmd_judge_run(args) -> int:
    """Exit 0 when every item got a score, 1 when any did not (the summary says how many and why), 130 when
    interrupted; a run that scored nothing stores nothing."""
    from .core.judge import JudgeClient, run_judge, store_result
    from .core.store import Project

    metric = args.metric or args.model
    with Project.open(args.project) as project:
        tax = project.taxonomies.get(args.taxonomy)
        client = JudgeClient(args.endpoint, args.model, api_key_env=args.api_key_env, timeout=args.timeout)
        kinds = set(tax.applies_to)
        items = (it for it in project.items.iter_all() if it.kind in kinds)
        if args.limit:
            from itertools import islice

            items = islice(items, args.limit)
        progress = _progress(f"judging with {args.model}")
        stop = {"asked": False}

        def on_interrupt(_sig, _frame) -> None:
            stop["asked"] = True

        previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            result = run_judge(items, tax, client, votes=args.votes, metric=metric, cache=project.judge_cache,
                               progress=progress.steps, cancel=lambda: stop["asked"])
        finally:
            signal.signal(signal.SIGINT, previous)
            progress.close()
        stored = store_result(project, result)
    for line in result.failure_lines():
        print(line, file=sys.stderr)
    print(result.summary(stored))
    if result.cancelled:
        print("cancelled: the items finished so far are stored and every answer is cached; run the same command "
              "again to resume", file=sys.stderr)
    if result.unscored:
        print(result.unscored_line(), file=sys.stderr)
    return 130 if result.cancelled else 1 if result.unscored else 0


def _figure_options(p: argparse.ArgumentParser, html: bool = True) -> None:
    """The options every figure-computing command shares."""
    p.add_argument("--annotators", metavar="a,b",
                   help="only these annotators (default: every human with at least --min-items finished items)")
    p.add_argument("--min-items", type=int, default=5, metavar="N",
                   help="by default, leave out annotators who finished fewer than N items (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    if html:
        p.add_argument("--html", metavar="OUT.html", help="also write a self-contained report with charts")
    p.add_argument("--level", choices=("unit", "item"), default="unit",
                   help="unit: each criterion/step on its own (default); item: does the item show the label anywhere")


def _gold_option(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("--gold", choices=["majority", "dawid-skene", "mace"], default="majority", help=text)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agreement", help="inter-annotator agreement of a project or a labels CSV")
    p.add_argument("source", metavar="PROJECT_OR_LABELS_CSV")
    p.add_argument("--taxonomy", metavar="ID_OR_FILE")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="resamples for the intervals")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--min-shared", type=int, default=10, metavar="N",
                   help="list a pair of annotators only when they share N units (default 10)")
    p.add_argument("--items", action="append", metavar="FILE",
                   help="with a labels CSV: the items it labels, for span figures (text lengths) and units")
    p.add_argument("--reliability", default="dawid-skene", choices=("dawid-skene", "mace", "none"),
                   help="per-annotator reliability from a reliability model (default dawid-skene); none skips it")
    p.add_argument("--metric", metavar="NAME",
                   help="compare agreement with this metric on work done with and without its suggestions "
                        "(default: every metric whose suggestions were shown)")
    _figure_options(p)
    p.set_defaults(func=cmd_agreement)

    p = sub.add_parser("f1", help="a metric's precision, recall and F1 against the humans")
    p.add_argument("project")
    p.add_argument("--metric", required=True)
    p.add_argument("--taxonomy", metavar="ID")
    p.add_argument("--threshold", type=float, default=0.5)
    _gold_option(p, "the humans' answer each unit is scored against: the majority (default) or a reliability "
                    "model's answer")
    _figure_options(p)
    p.set_defaults(func=cmd_f1)

    p = sub.add_parser("alt-test", help="can the metric replace an annotator? (alternative annotator test)")
    p.add_argument("project")
    p.add_argument("--metric", required=True)
    p.add_argument("--taxonomy", metavar="ID")
    p.add_argument("--epsilon", type=float, default=0.2,
                   help="the cost-benefit margin: 0.2 experts (default), 0.15 trained annotators, 0.1 crowd")
    p.add_argument("--q", type=float, default=0.05, help="false discovery rate")
    _gold_option(p, "also report how often the metric and each human match this gold (each human against the "
                    "gold of the others); the test itself compares with the other annotators' answers")
    _figure_options(p, html=False)
    p.set_defaults(func=cmd_alt_test)

    p = sub.add_parser("metrics", help="built-in automated rubric-quality metrics")
    msub = p.add_subparsers(dest="metrics_command", metavar="ACTION", required=True)
    q = msub.add_parser("run", help="score every rubric with the offline heuristics (metric 'heuristic')")
    q.add_argument("project")
    q.add_argument("--taxonomy", default="rift")
    q.set_defaults(func=cmd_metrics_run)

    p = sub.add_parser("judge", help="an LLM judge as a metric")
    jsub = p.add_subparsers(dest="judge_command", metavar="ACTION", required=True)
    q = jsub.add_parser("run", help="ask an OpenAI-compatible endpoint to label every item")
    q.add_argument("project")
    q.add_argument("--taxonomy", required=True)
    q.add_argument("--endpoint", required=True, metavar="URL", help="e.g. http://127.0.0.1:8000/v1")
    q.add_argument("--model", required=True)
    q.add_argument("--votes", type=int, default=5)
    q.add_argument("--metric", help="the metric's name (default: the model's)")
    q.add_argument("--api-key-env", default="ANNOTATOR_JUDGE_API_KEY",
                   help="the environment variable holding the key (never stored)")
    q.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="the whole time one request may take: connecting, waiting and reading (default 60)")
    q.add_argument("--limit", type=int, help="only the first N items")
    q.set_defaults(func=cmd_judge_run)

