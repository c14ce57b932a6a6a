"""Write docs/taxonomies.md from the built-in taxonomy files.

The guidelines annotators read in the app and the page team leads read in the docs come from the same YAML, so
the page is generated rather than written by hand; `--check` lets a test or CI notice when it has gone stale.

    python docs/make_taxonomy_doc.py            # rewrite docs/taxonomies.md
    python docs/make_taxonomy_doc.py --check    # exit 1 when the page differs from what the YAML gives
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.core.taxonomy import LabelDef, Taxonomy, builtin_taxonomies

DEFAULT_OUT = Path(__file__).resolve().parent / "taxonomies.md"

INTRO = """\
# Built-in taxonomies

This page is generated from the taxonomy files shipped in `resources/taxonomies/` by
`docs/make_taxonomy_doc.py`; edit the YAML and run the script again rather than editing this page. The app
shows the same text as guidelines beside the label buttons.

How to read a label:

- **Target** is what the label is given on: the whole item, one criterion, or one step. Labels that also
  accept a **span** can be put on a selected stretch of text; the span counts on the step (or item) it lies in.
- **Key** is the keyboard shortcut in the app.
- **Multi-choice** taxonomies take any number of labels per target, and none is a valid answer once the item is
  marked done. **Single-choice** taxonomies take exactly one label per target; on an **ordinal** scale the labels
  are listed from lowest to highest, and a label marked *outside the scale* is left out of ordinal figures.
- In the examples, the failing example shows the problem the label names and the passing one is a close
  variant without it. For the scale labels (step rating, caption verdict) each example says which label it
  gets.

Your own taxonomy is a YAML file of the same shape; only `id`, `name` and `labels` (each with `id`, `name` and
`target`) are required.
"""


def _cell(text: str) -> str:
    """Table cells cannot hold a pipe or a line break."""
    return " ".join(text.split()).replace("|", "\\|")


def _label_table(tax: Taxonomy) -> list[str]:
    has_category = any(lab.category for lab in tax.labels)
    head = ["Key", "Label", "Name"] + (["Category"] if has_category else []) + ["Target", "Colour"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for lab in tax.labels:
        target = lab.target + (" or span" if lab.spans else "")
        if lab.outside_scale:
            target += " (outside the scale)"
        cells = [lab.key or "", f"`{lab.id}`", lab.name] + ([lab.category] if has_category else [])
        cells += [target, f"`{lab.color}`"]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def _label_section(lab: LabelDef) -> list[str]:
    lines = [f"### `{lab.id}` {lab.name}", ""]
    for title, text in (("Definition", lab.definition), ("Apply when", lab.apply_when),
                        ("Do not apply when", lab.not_when)):
        if text:
            lines += [f"**{title}.** {' '.join(text.split())}", ""]
    for title, text in (("Failing example", lab.examples.fail), ("Passing example", lab.examples.pass_)):
        if text:
            lines += [f"- *{title}:* {' '.join(text.split())}"]
    if lab.examples.fail or lab.examples.pass_:
        lines.append("")
    return lines


def _taxonomy_section(tax: Taxonomy) -> list[str]:
    choice = "single choice" if tax.choice == "single" else "multi-choice"
    lines = [
        f"## {tax.name} (`{tax.id}`)",
        "",
        f"Applies to: {', '.join(tax.applies_to)}. {choice.capitalize()}, {tax.scale} scale, "
        f"{len(tax.labels)} labels.",
        "",
    ]
    if tax.description:
        lines += [" ".join(tax.description.split()), ""]
    lines += _label_table(tax) + [""]
    categories: list[str] = []
    for lab in tax.labels:
        if lab.category and lab.category not in categories:
            categories.append(lab.category)
    if categories:
        for category in categories:
            lines += [f"### {category}", ""]
            for lab in tax.labels:
                if lab.category == category:
                    lines += ["#" + line if line.startswith("### ") else line for line in _label_section(lab)]
        for lab in tax.labels:
            if not lab.category:
                lines += _label_section(lab)
    else:
        for lab in tax.labels:
            lines += _label_section(lab)
    return lines


def render_markdown(taxonomies: list[Taxonomy]) -> str:
    """The whole page for these taxonomies, in the order given."""
    lines = [INTRO.rstrip("\n"), "", "Contents:", ""]
    lines += [f"- [{tax.name}](#{_anchor(tax)})" for tax in taxonomies] + [""]
    for tax in taxonomies:
        lines += _taxonomy_section(tax)
    return "\n".join(lines).rstrip("\n") + "\n"


def _anchor(tax: Taxonomy) -> str:
    """The anchor GitHub gives the taxonomy's heading, so the contents list links to it."""
    heading = f"{tax.name} ({tax.id})".lower()
    kept = "".join(ch for ch in heading if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="where to write the page")
    parser.add_argument("--check", action="store_true", help="compare with the page on disk, write nothing")
    args = parser.parse_args(argv)
    page = render_markdown(list(builtin_taxonomies().values()))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != page:
            print(f"{args.out.name} is out of date; run docs/make_taxonomy_doc.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
