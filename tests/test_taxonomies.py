"""The built-in taxonomies (DESIGN section 5), the defaults of a user's taxonomy file, and how bad files fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from annotator.core.errors import InputError, NotFound
from annotator.core.model import ITEM_KINDS
from annotator.core.taxonomy import PALETTE, Taxonomy, builtin_taxonomies, load_taxonomy, parse_taxonomy

REPO = Path(__file__).resolve().parents[1]
TAXONOMY_DIR = REPO / "resources" / "taxonomies"
BUILTIN_FILES = sorted(TAXONOMY_DIR.glob("*.yaml"))

EXPECTED = {
    "rift": dict(
        file="10-rift.yaml", applies_to=["rubric"], choice="multi", scale="nominal",
        labels=[
            ("subjective", "criterion", "Reliability"),
            ("non_atomic", "criterion", "Reliability"),
            ("ungrounded", "criterion", "Reliability"),
            ("misaligned_or_rigid", "criterion", "Content validity"),
            ("missing_criteria", "item", "Content validity"),
            ("hackable", "criterion", "Consequential validity"),
            ("low_signal", "item", "Consequential validity"),
            ("redundant_criteria", "item", "Consequential validity"),
        ],
    ),
    "reasoning_errors": dict(
        file="20-reasoning_errors.yaml", applies_to=["trace"], choice="multi", scale="nominal",
        labels=[(lab, "step", "") for lab in (
            "calculation", "conceptual", "formula_recall", "unjustified", "misread_problem", "inconsistency",
            "incomplete", "redundant", "final_answer")],
    ),
    "step_rating": dict(
        file="30-step_rating.yaml", applies_to=["trace"], choice="single", scale="ordinal",
        labels=[("-1", "step", ""), ("0", "step", ""), ("+1", "step", "")],
    ),
    "caption_verdict": dict(
        file="40-caption_verdict.yaml", applies_to=["caption"], choice="single", scale="ordinal",
        labels=[(lab, "criterion", "") for lab in ("not_met", "partly_met", "met", "not_applicable")],
    ),
    "caption_errors": dict(
        file="50-caption_errors.yaml", applies_to=["caption"], choice="multi", scale="nominal",
        labels=[(lab, "item", "") for lab in (
            "hallucinated_object", "wrong_attribute", "wrong_count", "wrong_relation", "wrong_text", "omission",
            "unverifiable_claim")],
    ),
}


def _relative_luminance(color: str) -> float:
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_on_white(color: str) -> float:
    """WCAG contrast ratio against white: 1 for white itself, 21 for black."""
    return 1.05 / (_relative_luminance(color) + 0.05)


# --- the built-in files ---------------------------------------------------------------------------------------

def test_contrast_formula_matches_known_ratios():
    # Reference points of the WCAG definition: black on white is 21:1, white on white 1:1, #767676 about 4.54:1.
    assert _contrast_on_white("#000000") == pytest.approx(21.0)
    assert _contrast_on_white("#ffffff") == pytest.approx(1.0)
    assert _contrast_on_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_builtin_files_are_the_five_in_order():
    assert [p.name for p in BUILTIN_FILES] == [spec["file"] for spec in EXPECTED.values()]
    assert list(builtin_taxonomies()) == list(EXPECTED)


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.name)
def test_each_builtin_file_validates_on_its_own(path: Path):
    tax = parse_taxonomy(path.read_text(encoding="utf-8"), path.name)
    assert isinstance(tax, Taxonomy)
    assert EXPECTED[tax.id]["file"] == path.name


@pytest.mark.parametrize("tax_id", list(EXPECTED))
def test_builtin_shape_is_as_designed(tax_id: str):
    spec = EXPECTED[tax_id]
    tax = builtin_taxonomies()[tax_id]
    assert tax.applies_to == spec["applies_to"]
    assert tax.choice == spec["choice"]
    assert tax.scale == spec["scale"]
    assert [(lab.id, lab.target, lab.category) for lab in tax.labels] == spec["labels"]
    assert [lab.key for lab in tax.labels] == [str(i) for i in range(1, len(tax.labels) + 1)]
    assert tax.description.strip()


@pytest.mark.parametrize("tax_id", list(EXPECTED))
def test_every_label_has_full_guidelines(tax_id: str):
    for lab in builtin_taxonomies()[tax_id].labels:
        for field in ("name", "definition", "apply_when", "not_when"):
            assert getattr(lab, field).strip(), f"{tax_id}.{lab.id} has no {field}"
        assert lab.examples.fail.strip(), f"{tax_id}.{lab.id} has no failing example"
        assert lab.examples.pass_.strip(), f"{tax_id}.{lab.id} has no passing example"
        assert lab.examples.fail.strip() != lab.examples.pass_.strip()
        assert len(lab.definition.split()) >= 12, f"{tax_id}.{lab.id}: the definition is too thin to decide by"


@pytest.mark.parametrize("tax_id", list(EXPECTED))
def test_keys_unique_and_colours_distinct_and_readable(tax_id: str):
    tax = builtin_taxonomies()[tax_id]
    keys = [lab.key for lab in tax.labels]
    assert len(set(keys)) == len(keys)
    assert all(k in list("123456789") for k in keys)
    raw = (TAXONOMY_DIR / EXPECTED[tax_id]["file"]).read_text(encoding="utf-8")
    assert raw.count("color:") == len(tax.labels), "every built-in label names its colour explicitly"
    colours = [lab.color.lower() for lab in tax.labels]
    assert len(set(colours)) == len(colours)
    for lab in tax.labels:
        # 3:1 is the WCAG minimum for graphics and large text: label chips and span outlines on a white page.
        assert _contrast_on_white(lab.color) >= 3.0, f"{tax_id}.{lab.id} colour {lab.color} is too pale on white"


def test_rift_description_carries_the_reference_figures():
    text = builtin_taxonomies()["rift"].description
    for figure in ("87%", "0.64", "0.86"):
        assert figure in text


def test_span_and_scale_flags():
    taxes = builtin_taxonomies()
    assert all(lab.spans for lab in taxes["reasoning_errors"].labels)
    assert all(lab.spans for lab in taxes["caption_errors"].labels)
    assert not any(lab.spans for lab in taxes["rift"].labels)
    assert [lab.name for lab in taxes["step_rating"].labels] == ["Wrong", "Neutral", "Correct"]
    assert taxes["step_rating"].scale_labels() == ["-1", "0", "+1"]
    verdict = taxes["caption_verdict"]
    assert verdict.scale_labels() == ["not_met", "partly_met", "met"]
    assert [lab.id for lab in verdict.labels if lab.outside_scale] == ["not_applicable"]


@pytest.mark.parametrize("tax_id", list(EXPECTED))
def test_builtin_round_trips_through_yaml(tax_id: str):
    # The store keeps a taxonomy as YAML text; what comes back must be the same taxonomy.
    tax = builtin_taxonomies()[tax_id]
    assert parse_taxonomy(tax.to_yaml(), f"{tax_id}.yaml") == tax


# --- a user's own taxonomy file -------------------------------------------------------------------------------

MINIMAL = """\
id: my_tags
name: My tags
labels:
  - {id: good, name: Good, target: item}
  - {id: bad, name: Bad, target: step}
  - {id: ugly, name: Ugly, target: criterion, key: "1"}
"""


def test_minimal_user_file_gets_the_defaults(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    tax = load_taxonomy(str(path))
    assert tax.id == "my_tags"
    assert tax.applies_to == list(ITEM_KINDS)
    assert tax.choice == "multi"
    assert tax.scale == "nominal"
    # A key given by hand is kept; the others take the free keys in order.
    assert [lab.key for lab in tax.labels] == ["2", "3", "1"]
    assert [lab.color for lab in tax.labels] == list(PALETTE[:3])
    assert all(lab.definition == "" and not lab.spans and not lab.outside_scale for lab in tax.labels)


def test_more_than_nine_labels_leave_the_rest_without_a_key():
    labels = "\n".join(f"  - {{id: l{i}, name: L{i}, target: item}}" for i in range(11))
    tax = parse_taxonomy(f"id: many\nname: Many\nlabels:\n{labels}\n")
    assert [lab.key for lab in tax.labels] == [str(i) for i in range(1, 10)] + [None, None]


def test_load_builtin_by_id_and_by_path():
    by_id = load_taxonomy("caption_verdict")
    by_path = load_taxonomy(str(TAXONOMY_DIR / "40-caption_verdict.yaml"))
    assert by_id == by_path
    assert by_id.id == "caption_verdict"


def test_unknown_id_is_not_found():
    with pytest.raises(NotFound) as info:
        load_taxonomy("no_such_taxonomy")
    assert "rift" in str(info.value)  # the message lists what does exist


def test_missing_yaml_file_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError) as info:
        load_taxonomy(str(tmp_path / "absent.yaml"))
    assert "absent.yaml" in str(info.value)


# --- bad files ------------------------------------------------------------------------------------------------

def _problems(tmp_path: Path, text: str, name: str = "bad.yaml") -> InputError:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_taxonomy(str(path))
    assert all(p.file == str(path) for p in info.value.problems)
    assert name in str(info.value)
    return info.value


def test_duplicate_label_ids_are_rejected(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nlabels:\n  - {id: a, name: A, target: item}\n"
                              "  - {id: a, name: A again, target: item}\n")
    assert "appear twice: a" in str(err)


def test_ordinal_multi_is_rejected(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nchoice: multi\nscale: ordinal\n"
                              "labels:\n  - {id: lo, name: Lo, target: item}\n  - {id: hi, name: Hi, target: item}\n")
    assert "ordinal scale needs choice: single" in str(err)


def test_single_choice_over_two_target_kinds_is_rejected(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nchoice: single\n"
                              "labels:\n  - {id: a, name: A, target: item}\n  - {id: b, name: B, target: step}\n")
    assert "one target kind" in str(err)


def test_unknown_target_names_the_field(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nlabels:\n  - {id: a, name: A, target: item}\n"
                              "  - {id: b, name: B, target: paragraph}\n")
    assert [p.field for p in err.problems] == ["labels.1.target"]


def test_bad_colour_names_the_field(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nlabels:\n  - {id: a, name: A, target: item, color: red}\n")
    assert [p.field for p in err.problems] == ["labels.0.color"]


def test_unknown_field_and_missing_name_are_each_reported(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nlabels:\n  - {id: a, target: item, colour: '#112233'}\n")
    assert sorted(p.field for p in err.problems) == ["labels.0.colour", "labels.0.name"]


def test_shared_key_is_rejected(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nlabels:\n  - {id: a, name: A, target: item, key: '1'}\n"
                              "  - {id: b, name: B, target: item, key: '1'}\n")
    assert "share a key" in str(err)


def test_no_labels_is_rejected(tmp_path: Path):
    err = _problems(tmp_path, "id: t\nname: T\nlabels: []\n")
    assert [p.field for p in err.problems] == ["labels"]


@pytest.mark.parametrize("text", ["- just\n- a list\n", "a plain sentence\n", ""])
def test_not_a_mapping_is_rejected(tmp_path: Path, text: str):
    err = _problems(tmp_path, text)
    assert "one mapping" in str(err)


def test_yaml_syntax_error_gives_the_line(tmp_path: Path):
    text = "id: t\nname: T\nlabels:\n  - {id: a, name: A, target: item\n  - {id: b, name: B, target: item}\n"
    err = _problems(tmp_path, text)
    (problem,) = err.problems
    assert "not valid YAML" in problem.message
    assert problem.line >= 4  # the unclosed mapping opens on line 4; the parser notices at or after it
    assert f"bad.yaml:{problem.line}:" in str(err)


def test_python_object_tag_is_refused_not_run(tmp_path: Path):
    marker = tmp_path / "ran"
    text = (
        "id: t\nname: T\n"
        f"hook: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path ['{marker}']]\n"
        "labels:\n  - {id: a, name: A, target: item}\n"
    )
    err = _problems(tmp_path, text)
    assert "not valid YAML" in str(err)
    assert err.problems[0].line == 3
    assert not marker.exists()


# --- the generated page ---------------------------------------------------------------------------------------

def _doc_script():
    spec = importlib.util.spec_from_file_location("make_taxonomy_doc", REPO / "docs" / "make_taxonomy_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_taxonomy_page_is_up_to_date():
    script = _doc_script()
    committed = (REPO / "docs" / "taxonomies.md").read_text(encoding="utf-8")
    assert committed == script.render_markdown(list(builtin_taxonomies().values())), (
        "docs/taxonomies.md is stale: run python docs/make_taxonomy_doc.py")


def test_taxonomy_page_shows_every_label_and_check_mode_notices_staleness(tmp_path: Path):
    script = _doc_script()
    page = script.render_markdown(list(builtin_taxonomies().values()))
    for tax in builtin_taxonomies().values():
        assert f"(`{tax.id}`)" in page
        for lab in tax.labels:
            assert f"### `{lab.id}` {lab.name}" in page
            assert " ".join(lab.not_when.split()) in page
    out = tmp_path / "page.md"
    assert script.main(["-o", str(out)]) == 0
    assert script.main(["--check", "-o", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert script.main(["--check", "-o", str(out)]) == 1
