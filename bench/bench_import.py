"""How fast items import, and whether memory stays flat as the file grows.

Writes N reasoning traces of about 4 KB each as JSONL in a temporary folder, then imports them into a new
project with `Project.import_items` in a child process, once for a tenth of N and once for N. Each child
reports its own peak resident memory (`ru_maxrss`), so the two figures compare the import alone, not the
generator or an earlier run. A streaming import keeps the peak about the same for both sizes.

    python bench/bench_import.py            # 10,000 and 100,000 traces
    python bench/bench_import.py --n 20000  # 2,000 and 20,000
    python bench/bench_import.py --profile  # also print where the time goes (cProfile, top 25)
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("energy momentum field operator vertex loop integral amplitude propagator coupling mass charge "
         "spin gauge symmetry term factor sign order limit series expansion boundary condition tensor index "
         "contract trace divergence finite cutoff scale renormalised constant therefore hence thus gives "
         "equals substitute compute derive expand simplify check units result step sum product ratio").split()
STEPS = 8
STEP_CHARS = 460


def sentence(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words).capitalize() + "."


def write_traces(path: Path, n: int, seed: int = 7) -> int:
    """N trace records of about 4 KB, written one at a time; returns the file size in bytes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            record = {
                "id": f"bench-{i:07d}",
                "kind": "trace",
                "source": "bench",
                "domain": rng.choice(("physics", "qft", "maths")),
                "problem": sentence(rng, 240),
                "steps": [sentence(rng, STEP_CHARS) for _ in range(STEPS)],
                "answer": str(rng.randint(1, 999)),
                "meta": {"seed": seed, "index": i},
            }
            out.write(json.dumps(record) + "\n")
    return path.stat().st_size


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def import_file(project, data: Path, profile: bool):
    """`project.import_items([data])`, under cProfile (printed to stderr) when asked."""
    if not profile:
        return project.import_items([data])
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    summary = profiler.runcall(project.import_items, [data])
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    return summary


def child(data: Path, project_path: Path, profile: bool) -> None:
    """Import one file into a new project and print one JSON line of figures."""
    from annotator.core import Project

    with Project.create(project_path, taxonomies=["reasoning_errors"]) as project:
        baseline = peak_rss_mb()
        start = time.perf_counter()
        summary = import_file(project, data, profile)
        seconds = time.perf_counter() - start
        assert project.items.count() == summary.items
    print(json.dumps({"items": summary.items, "seconds": seconds, "baseline_mb": baseline,
                      "peak_mb": peak_rss_mb(), "db_mb": project_path.stat().st_size / 1e6}))


def run_size(n: int, folder: Path, profile: bool) -> dict:
    data = folder / f"traces_{n}.jsonl"
    started = time.perf_counter()
    size = write_traces(data, n)
    generated = time.perf_counter() - started
    project_path = folder / f"bench_{n}.sqlite"
    done = subprocess.run([sys.executable, __file__, "--child", str(data), str(project_path)]
                          + (["--profile"] if profile else []), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the import of {n} traces failed:\n{done.stderr}")
    if profile:
        print(done.stderr, file=sys.stderr)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures.update(n=n, file_mb=size / 1e6, generate_seconds=generated)
    data.unlink()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project_path}{suffix}").unlink(missing_ok=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="the larger number of traces (default 100,000)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary of each import")
    parser.add_argument("--child", nargs=2, metavar=("DATA", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.profile)
        return 0
    sizes = sorted({max(1, args.n // 10), args.n})
    print(f"{'traces':>8} {'file MB':>8} {'seconds':>8} {'items/s':>9} {'base MB':>8} {'peak MB':>8} "
          f"{'grew MB':>8} {'db MB':>8}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as folder:
        for n in sizes:
            f = run_size(n, Path(folder), args.profile)
            rows.append(f)
            print(f"{f['n']:>8} {f['file_mb']:>8.1f} {f['seconds']:>8.1f} {f['items'] / f['seconds']:>9.0f} "
                  f"{f['baseline_mb']:>8.0f} {f['peak_mb']:>8.0f} {f['peak_mb'] - f['baseline_mb']:>8.0f} "
                  f"{f['db_mb']:>8.1f}", flush=True)
    if len(rows) == 2:
        small, large = rows
        small_grew, large_grew = (r["peak_mb"] - r["baseline_mb"] for r in rows)
        per_thousand = (large_grew - small_grew) * 1024 / max(1, large["n"] - small["n"]) * 1000
        ratio = large_grew / max(1.0, small_grew)
        verdict = "flat" if ratio < 1.25 else f"grows by about {per_thousand:.0f} KB per 1,000 traces"
        print(f"memory the import added: {ratio:.2f}x for {large['n'] // small['n']}x the traces ({verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
