"""Team commands: `annotator assign` hands out work packages (DESIGN 10.5)."""

from __future__ import annotations

import argparse



def _names(arg: str) -> list[str]:
    return [name.strip() for name in arg.split(",") if name.strip()]


def cmd_assign(args) -> int:
    from .cli import TerminalProgress
    from .core.assign import plan_assignment, write_packs
    from .core.store import Project

    with Project.open(args.project) as project:
        taxonomies = args.taxonomy or None
        for tax in taxonomies or []:
            project.taxonomies.get(tax)  # an unknown id fails before anything is written
        kinds = {k for t in (taxonomies or project.taxonomies.ids()) for k in project.taxonomies.get(t).applies_to}
        item_ids = project.items.ids(kinds=sorted(kinds))
        plan = plan_assignment(item_ids, _names(args.annotators), args.overlap, args.shared, args.seed)
        progress = TerminalProgress("writing packs")
        try:
            paths = write_packs(project, plan, args.out, taxonomies, progress=progress.steps)
        finally:
            progress.close()
    for name, path in zip(plan.annotators, paths):
        print(f"{path}: {len(plan.packs[name])} items for {name}")
    pairs = plan.pair_overlap()
    if pairs:
        low, high = min(pairs.values()), max(pairs.values())
        print(f"{len(plan.shared)} calibration items for everyone; every other item to {plan.overlap} annotators; "
              f"each pair shares {low}" + (f" to {high}" if high != low else "") + " items")
    print(f"the plan is recorded in {args.project}; bring the work back with: annotator merge {args.project} "
          + " ".join(str(p) for p in paths))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assign", help="one project file per annotator, with overlap and a calibration set")
    p.add_argument("project")
    p.add_argument("--annotators", required=True, help="comma-separated names, e.g. alice,bob,carol")
    p.add_argument("--overlap", type=int, default=2, help="annotators per item outside the calibration set")
    p.add_argument("--shared", type=int, default=0, help="calibration items everyone labels (default 0)")
    p.add_argument("--taxonomy", action="append", metavar="ID",
                   help="taxonomies the packs carry, repeatable (default: all of the project's); only items they "
                        "apply to are handed out")
    p.add_argument("--seed", type=int, default=0, help="the plan's random seed (same seed, same plan)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the packs, DIR/<name>.sqlite")
    p.set_defaults(func=cmd_assign)


