"""Label schemes (DESIGN sections 3 and 5): the pydantic schema of a taxonomy file and how to find one.

Built-in taxonomies are YAML files in `resources/taxonomies/`; a user's own file is accepted wherever a taxonomy
id is. Files are safe-loaded and validated, so a taxonomy can never run code.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import AbstractSet, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import InputError, NotFound, Problem
from .model import ITEM_KINDS
from .targets import parse_target

try:  # libyaml: ten times faster, and it refuses absurd nesting with a located error instead of recursing
    from yaml import CSafeDumper as SafeDumper
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper, SafeLoader

# A colour-blind-safe qualitative palette (Okabe-Ito, then Dark2) for labels that name no colour.
PALETTE = (
    "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#cc79a7", "#0072b2", "#f0e442",
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666",
)

LabelTarget = Literal["item", "criterion", "step"]


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    fail: str = ""
    pass_: str = Field("", alias="pass")


class LabelDef(BaseModel):
    """One label of a taxonomy, with the guideline text annotators read."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.+\-]+$")
    name: str = Field(min_length=1)
    target: LabelTarget
    category: str = ""
    key: str | None = None
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    definition: str = ""
    apply_when: str = ""
    not_when: str = ""
    examples: Examples = Field(default_factory=Examples)
    spans: bool = False  # may also be given on a span of text (counted on the unit the span lies in)
    outside_scale: bool = False  # e.g. not_applicable: left out of ordinal figures


class Taxonomy(BaseModel):
    """A label scheme: which kinds it applies to, single or multi choice, nominal or ordinal, its labels."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1)
    description: str = ""
    applies_to: list[Literal["rubric", "caption", "trace"]] = Field(default_factory=lambda: list(ITEM_KINDS))
    choice: Literal["multi", "single"] = "multi"
    scale: Literal["nominal", "ordinal"] = "nominal"
    labels: list[LabelDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _fill_and_check(self) -> "Taxonomy":
        # every check here is linear: a taxonomy of 30,000 labels is read at every open of its project
        dupes = sorted(i for i, n in Counter(lab.id for lab in self.labels).items() if n > 1)
        if dupes:
            raise ValueError(f"label ids appear twice: {', '.join(dupes)}")
        if self.scale == "ordinal" and self.choice != "single":
            raise ValueError("an ordinal scale needs choice: single")
        if self.choice == "single" and len({lab.target for lab in self.labels}) > 1:
            raise ValueError("a single-choice taxonomy gives all its labels on one target kind")
        used = {lab.key for lab in self.labels if lab.key}
        free = (k for k in "123456789" if k not in used)
        for i, lab in enumerate(self.labels):
            if lab.key is None:
                lab.key = next(free, None)
            if lab.color is None:
                lab.color = PALETTE[i % len(PALETTE)]
        keys = [lab.key for lab in self.labels if lab.key]
        if len(keys) != len(set(keys)):
            raise ValueError("two labels share a key")
        return self

    # --- questions the rest of the code asks -------------------------------------------------------------
    @cached_property
    def _by_id(self) -> dict[str, LabelDef]:
        return {lab.id: lab for lab in self.labels}

    def label(self, label_id: str) -> LabelDef:
        found = self._by_id.get(label_id)
        if found is None:
            raise NotFound(f"taxonomy {self.id!r} has no label {label_id!r}")
        return found

    def has_label(self, label_id: str) -> bool:
        return label_id in self._by_id

    @property
    def label_ids(self) -> list[str]:
        return [lab.id for lab in self.labels]

    def labels_on(self, target_kind: str) -> list[LabelDef]:
        return [lab for lab in self.labels if lab.target == target_kind]

    def scale_labels(self) -> list[str]:
        """Labels in scale order, without those outside the scale (ordinal figures use these)."""
        return [lab.id for lab in self.labels if not lab.outside_scale]

    def placement_problem(self, label: str, target: str,
                          units: AbstractSet[str] | None = None) -> tuple[str, str] | None:
        """Why `label` cannot go on `target` as (field, message), or None when it can. `units` (the item's
        criterion/step targets) is checked when given. One rule for the app, the CSV and predictions readers."""
        if not label:
            return None
        if not self.has_label(label):
            return "label", f"taxonomy {self.id!r} has no label {label!r}"
        ldef = self.label(label)
        try:
            tgt = parse_target(target)
        except ValueError as exc:
            return "target", str(exc)
        if tgt.kind == "span":
            return None if ldef.spans else ("target", f"label {label!r} is not given on spans of text")
        if tgt.kind != ldef.target:
            where = "the item" if ldef.target == "item" else f"a {ldef.target}"
            return "target", f"label {label!r} goes on {where}, not on {target!r}"
        if units is not None and tgt.kind != "item" and target not in units:
            return "target", f"the item has no {target!r}"
        return None

    def to_yaml(self) -> str:
        return yaml.dump(self.model_dump(by_alias=True, exclude_defaults=False), Dumper=SafeDumper,
                         sort_keys=False, allow_unicode=True)


@lru_cache(maxsize=32)
def _yaml_data(text: str) -> object:
    """A taxonomy's YAML as plain data, kept for a text read again: each open of a project reads its taxonomies
    (the app's background tasks open their own), and the YAML is nearly all the time that takes, validation
    very little. The result is shared: only `parse_taxonomy` reads it, and validation builds new objects."""
    return yaml.load(text, Loader=SafeLoader)


def parse_taxonomy(text: str, source: str = "<taxonomy>") -> Taxonomy:
    """Validate taxonomy YAML (or JSON, which is YAML) text; raise InputError naming the file and field."""
    try:
        data = _yaml_data(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise InputError(Problem(source, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}")) from None
    except RecursionError:  # nesting within libyaml's limit can still be too deep for Python's constructor
        raise InputError(Problem(source, 1, "", "nested too deeply to be a taxonomy")) from None
    if not isinstance(data, dict):
        raise InputError(Problem(source, 1, "", "a taxonomy file holds one mapping with id, name and labels"))
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as exc:
        root = yaml.compose(text, Loader=SafeLoader)
        problems = [
            Problem(source, _line_of(root, err["loc"]), ".".join(str(p) for p in err["loc"]) or "taxonomy",
                    err["msg"].removeprefix("Value error, "))
            for err in exc.errors()
        ]
        raise InputError(problems) from None


def line_of_field(path: str | Path, field: str) -> int:
    """The line of a top-level field of a taxonomy file (1 when it cannot be found), for messages about it."""
    try:
        return _line_of(yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=SafeLoader), (field,))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return 1


def builtin_replacement_problem(stored: Taxonomy, new: Taxonomy) -> str | None:
    """Why `new` may not take the place of `stored` in a project, or None when it may.

    A built-in taxonomy's id names the shipped guidelines: a file that reuses the id with other labels would
    silently change what the project's labels mean (or orphan them), so it may replace the stored one only
    when it equals it or the shipped version (which is how a project takes up an updated built-in)."""
    builtin = builtin_taxonomies().get(new.id)
    if builtin is None or new == stored or new == builtin:
        return None
    return (f"taxonomy id {new.id!r} is a built-in taxonomy's, which this project holds; a different taxonomy "
            "may not replace it: give yours another id")


def _line_of(node: yaml.Node | None, loc: tuple) -> int:
    """The 1-based line of the YAML node a validation error points at (the deepest one that exists)."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


@lru_cache(maxsize=None)
def builtin_taxonomies() -> dict[str, Taxonomy]:
    """The taxonomies shipped in resources/taxonomies, by id, in file-name order."""
    folder = resources.files("annotator.resources").joinpath("taxonomies")
    found: dict[str, Taxonomy] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            tax = parse_taxonomy(entry.read_text(encoding="utf-8"), entry.name)
            found[tax.id] = tax
    return found


def load_taxonomy(id_or_file: str) -> Taxonomy:
    """A built-in taxonomy by id, or a user's taxonomy file by path."""
    builtin = builtin_taxonomies()
    if id_or_file in builtin:
        return builtin[id_or_file]
    path = Path(id_or_file)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
        if not path.is_file():
            raise InputError(Problem(str(path), 0, "", "no such taxonomy file"))
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(Problem(str(path), 0, "", f"not UTF-8 text ({exc.reason})")) from None
        return parse_taxonomy(text, str(path))
    raise NotFound(f"no built-in taxonomy {id_or_file!r} (built-in: {', '.join(builtin)}) and no such file")
