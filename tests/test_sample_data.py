"""Checks on the sample project's input files, read with plain json and csv (no importer needed).

The sample is what every new user sees first, so these tests guard that it stays consistent: ids unique, every
label pointing at a criterion or step that exists, spans covering real words, images real PNGs, the three
annotators agreeing about as often as the RIFT paper's humans did, and the generator scripts reproducing the
committed files exactly.
"""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
import re
import struct
import sys
import zlib
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest
from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
TOOLS = ROOT / "tools"

TAXONOMY_LABELS = {
    "rift": {"subjective", "non_atomic", "ungrounded", "misaligned_or_rigid", "missing_criteria", "hackable",
             "low_signal", "redundant_criteria"},
    "reasoning_errors": {"calculation", "conceptual", "formula_recall", "unjustified", "misread_problem",
                         "inconsistency", "incomplete", "redundant", "final_answer"},
    "step_rating": {"-1", "0", "+1"},
    "caption_verdict": {"not_met", "partly_met", "met", "not_applicable"},
    "caption_errors": {"hallucinated_object", "wrong_attribute", "wrong_count", "wrong_relation", "wrong_text",
                       "omission", "unverifiable_claim"},
}
TAXONOMY_KIND = {"rift": "rubric", "reasoning_errors": "trace", "step_rating": "trace",
                 "caption_verdict": "caption", "caption_errors": "caption"}
SINGLE_CHOICE = {"step_rating", "caption_verdict"}
RIFT_ITEM_LABELS = {"missing_criteria", "low_signal", "redundant_criteria"}


def read_jsonl(name: str) -> list[dict]:
    with (SAMPLE / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_csv(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is being built
    spec.loader.exec_module(module)
    return module


def steps_of(trace: dict) -> list[str]:
    """Steps as DESIGN section 4 splits them: the `steps` list, else the text cut at blank lines and "Step N"."""
    if "steps" in trace:
        return trace["steps"]
    parts = re.split(r"\n\s*\n|^(?=Step \d+)", trace["trace"], flags=re.MULTILINE)
    return [re.sub(r"^Step \d+:\s*", "", p.strip()) for p in parts if p.strip()]


@pytest.fixture(scope="module")
def items() -> dict[str, dict]:
    """Every canonical item by id (rubrics, traces, captions)."""
    out: dict[str, dict] = {}
    for name in ("rubrics.jsonl", "traces.jsonl", "captions.jsonl"):
        for record in read_jsonl(name):
            assert record["id"] not in out, f"duplicate id {record['id']}"
            out[record["id"]] = record
    return out


@pytest.fixture(scope="module")
def labels() -> list[dict[str, str]]:
    return read_csv("labels.csv")


# ---------------------------------------------------------------- items


def test_counts_and_unique_ids(items: dict[str, dict]) -> None:
    kinds = defaultdict(int)
    for record in items.values():
        kinds[record["kind"]] += 1
    assert kinds["rubric"] >= 30
    assert kinds["rubric"] + len(read_jsonl("rubrics_healthbench.jsonl")) + len(read_jsonl("rubrics_rift.jsonl")) \
        >= 40
    assert kinds["caption"] >= 12
    assert kinds["trace"] >= 20
    byo = [r["id"] for r in read_jsonl("rubrics_rift.jsonl")] + [r["prompt_id"] for r in
                                                                 read_jsonl("rubrics_healthbench.jsonl")]
    assert len(byo) == len(set(byo)) and not set(byo) & set(items)


def test_rubrics_have_what_the_items_format_needs() -> None:
    sources = set()
    for rubric in read_jsonl("rubrics.jsonl"):
        assert rubric["kind"] == "rubric" and rubric["prompt"].strip()
        assert 4 <= len(rubric["criteria"]) <= 10, rubric["id"]
        ids = [c["id"] for c in rubric["criteria"]]
        assert ids == [f"c{i + 1}" for i in range(len(ids))], rubric["id"]
        for crit in rubric["criteria"]:
            assert set(crit) <= {"id", "text", "points", "weight", "axis", "tags"} and crit["text"].strip()
        sources.add(rubric["source"])
    assert {"advancedif-style", "healthbench-style", "researchrubrics-style", "creative-writing",
            "code-review"} <= sources


def test_public_rubric_formats_have_their_published_fields() -> None:
    hb = read_jsonl("rubrics_healthbench.jsonl")
    assert len(hb) == 5
    for record in hb:
        assert all(set(m) == {"role", "content"} for m in record["prompt"])
        assert all({"criterion", "points", "tags"} <= set(r) for r in record["rubrics"])
    assert any(r["points"] < 0 for record in hb for r in record["rubrics"])
    rift = read_jsonl("rubrics_rift.jsonl")
    assert len(rift) == 5
    assert all({"id", "input_context", "rubric_text", "source"} <= set(r) for r in rift)
    text = " ".join(r["rubric_text"] for r in rift)
    for marker in ("[Hard Rule]", "(importance: 95/100)", "[Principle]", "[Implicit Criteria, weight 2.0]"):
        assert marker in text


def test_traces_have_steps_and_answers(items: dict[str, dict], labels: list[dict[str, str]]) -> None:
    traces = [r for r in items.values() if r["kind"] == "trace"]
    domains = {t["domain"] for t in traces}
    assert "quantum field theory" in domains and len(domains) >= 6
    for trace in traces:
        assert 4 <= len(steps_of(trace)) <= 10, trace["id"]
        assert trace["answer"] and trace["reference_answer"] and trace["model"]
    # About half carry a real error: a step that most of its raters called wrong.
    votes = defaultdict(list)
    for row in labels:
        if row["taxonomy"] == "step_rating":
            votes[row["item_id"], row["target"]].append(row["label"] == "-1")
    wrong = {item_id for (item_id, _), v in votes.items() if 2 * sum(v) > len(v)}
    assert 0.35 <= len(wrong) / len(traces) <= 0.65


def test_public_trace_formats_have_their_published_fields() -> None:
    prm = read_jsonl("traces_prm800k.jsonl")
    assert len(prm) == 3
    for record in prm:
        assert record["labeler"] and record["question"]["problem"] and record["question"]["ground_truth_answer"]
        assert record["label"]["finish_reason"] in {"solution", "found_error", "give_up", "bad_problem"}
        for step in record["label"]["steps"]:
            assert "chosen_completion" in step
            assert all(c["rating"] in (-1, 0, 1) and c["text"] for c in step["completions"])
    pb = read_jsonl("traces_processbench.jsonl")
    assert len(pb) == 3
    for record in pb:
        assert {"id", "generator", "problem", "steps", "final_answer_correct", "label"} <= set(record)
        assert -1 <= record["label"] < len(record["steps"])


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header, after checking its signature and every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    return struct.unpack(">II", data[16:24])


def test_every_caption_image_exists_and_is_a_png(items: dict[str, dict]) -> None:
    captions = [r for r in items.values() if r["kind"] == "caption"]
    for caption in captions:
        assert caption["image"].startswith("images/") and caption["image"].endswith(".png")
        assert png_size((SAMPLE / caption["image"]).read_bytes()) == (320, 240)
        assert 3 <= caption["caption"].count(". ") + 1 <= 7, caption["id"]
        assert 4 <= len(caption["criteria"]) <= 6 and caption["model"]


# ---------------------------------------------------------------- labels


def test_label_rows_name_known_taxonomies_labels_and_targets(items: dict[str, dict],
                                                              labels: list[dict[str, str]]) -> None:
    assert list(labels[0]) == ["item_id", "item_kind", "taxonomy", "annotator", "target", "label", "note",
                               "created_at"]
    spans = 0
    for row in labels:
        item = items[row["item_id"]]
        tax = row["taxonomy"]
        assert item["kind"] == row["item_kind"] == TAXONOMY_KIND[tax]
        assert row["annotator"] in {"alice", "bob", "chen"}
        assert row["label"] == "" or row["label"] in TAXONOMY_LABELS[tax], row
        target = row["target"]
        if row["label"] == "":
            assert target == "item"
        elif target == "item":
            assert tax == "caption_errors" or (tax == "rift" and row["label"] in RIFT_ITEM_LABELS), row
        elif target.startswith("criterion:"):
            assert target[10:] in {c["id"] for c in item["criteria"]}, row
            assert tax in {"rift", "caption_verdict"} and row["label"] not in RIFT_ITEM_LABELS, row
        elif target.startswith("step:"):
            assert 1 <= int(target[6:]) <= len(steps_of(item)) and target[5] == "s", row
        else:
            m = re.fullmatch(r"span:([^:]+):(\d+)-(\d+)", target)
            assert m, row
            field, start, end = m[1], int(m[2]), int(m[3])
            text = item["caption"] if field == "caption" else item["steps"][int(field[1:]) - 1]
            assert 0 <= start < end <= len(text), row
            # The span covers whole words: it neither starts nor ends inside a word or on a space.
            assert not text[start].isspace() and not text[end - 1].isspace(), row
            assert (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
            spans += 1
    assert spans >= 5


def test_every_item_is_covered_by_every_taxonomy_of_its_kind(items: dict[str, dict],
                                                             labels: list[dict[str, str]]) -> None:
    done = defaultdict(set)  # (taxonomy, annotator) -> item ids
    for row in labels:
        done[row["taxonomy"], row["annotator"]].add(row["item_id"])
    for tax, kind in TAXONOMY_KIND.items():
        ids = {i for i, r in items.items() if r["kind"] == kind}
        assert done[tax, "alice"] == ids and done[tax, "bob"] == ids, tax
        assert done[tax, "chen"] < ids  # chen has a few left, so progress shows
    not_done = sum(len({i for i, r in items.items() if r["kind"] == TAXONOMY_KIND[t]} - done[t, "chen"])
                   for t in TAXONOMY_KIND)
    assert 3 <= not_done <= 12


def test_label_rows_are_well_formed(labels: list[dict[str, str]]) -> None:
    seen = set()
    empty = defaultdict(int)
    given = defaultdict(int)
    for row in labels:
        key = (row["item_id"], row["taxonomy"], row["annotator"], row["target"], row["label"])
        assert key not in seen, key
        seen.add(key)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row["created_at"])
        bucket = (row["item_id"], row["taxonomy"], row["annotator"])
        if row["label"] == "":
            empty[bucket] += 1
        else:
            given[bucket] += 1
    assert all(n == 1 and given[b] == 0 for b, n in empty.items())  # an empty row only for a done, empty item
    assert len(empty) >= 10
    per_unit = defaultdict(int)
    for row in labels:
        if row["taxonomy"] in SINGLE_CHOICE:
            per_unit[row["item_id"], row["taxonomy"], row["annotator"], row["target"]] += 1
    assert set(per_unit.values()) == {1}  # single choice: exactly one label per unit
    assert sum(1 for row in labels if row["note"]) >= 5


def rift_matrix(items: dict[str, dict], labels: list[dict[str, str]]) -> dict[str, dict[str, dict[tuple, int]]]:
    """x[label][annotator][(item, unit)] = 1/0 over the units of each done item, as DESIGN section 6 defines."""
    done = defaultdict(set)
    on = set()
    for row in labels:
        if row["taxonomy"] == "rift":
            done[row["annotator"]].add(row["item_id"])
            on.add((row["annotator"], row["item_id"], row["target"], row["label"]))
    out: dict[str, dict[str, dict[tuple, int]]] = defaultdict(lambda: defaultdict(dict))
    for annotator, ids in done.items():
        for item_id in ids:
            criteria = [f"criterion:{c['id']}" for c in items[item_id]["criteria"]]
            for label in TAXONOMY_LABELS["rift"]:
                for unit in (["item"] if label in RIFT_ITEM_LABELS else criteria):
                    out[label][annotator][item_id, unit] = int((annotator, item_id, unit, label) in on)
    return out


def test_rift_agreement_is_realistic(items: dict[str, dict], labels: list[dict[str, str]]) -> None:
    """Pairwise agreement (the mean over labels, DESIGN section 6) near the RIFT paper's 87%, kappa near 0.64."""
    x = rift_matrix(items, labels)
    for a, b in itertools.combinations(("alice", "bob", "chen"), 2):
        agreements, kappas = [], []
        for label, by_annotator in x.items():
            units = sorted(set(by_annotator[a]) & set(by_annotator[b]))
            va = [by_annotator[a][u] for u in units]
            vb = [by_annotator[b][u] for u in units]
            agreements.append(sum(p == q for p, q in zip(va, vb)) / len(units))
            if len(set(va) | set(vb)) > 1:
                kappas.append(cohen_kappa_score(va, vb))
        agreement, kappa = sum(agreements) / len(agreements), sum(kappas) / len(kappas)
        assert 0.75 <= agreement <= 0.95, (a, b, agreement)
        assert 0.4 <= kappa <= 0.85, (a, b, kappa)


def test_bob_is_the_liberal_one(labels: list[dict[str, str]]) -> None:
    count = defaultdict(int)
    for row in labels:
        if row["taxonomy"] == "rift" and row["label"] and row["item_id"] not in {"cw-05", "dr-06", "hb-05"}:
            count[row["annotator"]] += 1
    assert count["bob"] > count["alice"] and count["bob"] > count["chen"]


# ---------------------------------------------------------------- predictions


def test_predictions(items: dict[str, dict]) -> None:
    rows = read_csv("predictions.csv")
    assert list(rows[0]) == ["item_id", "taxonomy", "metric", "target", "label", "score"]
    rubric_ids = {i for i, r in items.items() if r["kind"] == "rubric"}
    for metric in ("judge-small", "keyword-baseline"):
        mine = [r for r in rows if r["metric"] == metric]
        assert {r["item_id"] for r in mine} == rubric_ids, metric  # every rubric is scored by both metrics
    for row in rows:
        assert row["taxonomy"] == "rift" and row["label"] in TAXONOMY_LABELS["rift"]
        assert 0.0 <= float(row["score"]) <= 1.0
        item = items[row["item_id"]]
        if row["label"] in RIFT_ITEM_LABELS:
            assert row["target"] == "item"
        else:
            assert row["target"][10:] in {c["id"] for c in item["criteria"]}
    assert {r["score"] for r in rows if r["metric"] == "keyword-baseline"} == {"1"}


def test_judge_beats_keyword_baseline_against_the_annotators_majority(items: dict[str, dict],
                                                                       labels: list[dict[str, str]]) -> None:
    x = rift_matrix(items, labels)
    gold = {}
    for label, by_annotator in x.items():
        for unit in set().union(*(set(v) for v in by_annotator.values())):
            votes = [v[unit] for v in by_annotator.values() if unit in v]
            if 2 * sum(votes) != len(votes):
                gold[label, unit] = int(2 * sum(votes) > len(votes))
    f1 = {}
    for metric in ("judge-small", "keyword-baseline"):
        predicted = {(r["label"], (r["item_id"], r["target"])) for r in read_csv("predictions.csv")
                     if r["metric"] == metric and float(r["score"]) >= 0.5}
        tp = sum(1 for k, g in gold.items() if g and k in predicted)
        fp = sum(1 for k, g in gold.items() if not g and k in predicted)
        fn = sum(1 for k, g in gold.items() if g and k not in predicted)
        f1[metric] = 2 * tp / (2 * tp + fp + fn)
    assert 0.6 <= f1["judge-small"] <= 0.9
    assert f1["keyword-baseline"] < f1["judge-small"] - 0.1


# ---------------------------------------------------------------- the generators reproduce the committed files


def test_label_script_reproduces_the_committed_csv_files() -> None:
    rendered = load_tool("make_sample_labels").render(SAMPLE)
    for name, text in rendered.items():
        assert (SAMPLE / name).read_text(encoding="utf-8") == text, name


def png_pixels(data: bytes) -> bytes:
    """The decompressed image data of a PNG (its IDAT chunks), whatever compressor wrote it."""
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        if data[pos + 4:pos + 8] == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(idat)


def test_image_script_reproduces_the_committed_pngs() -> None:
    tool = load_tool("make_sample_images")
    names = {p.stem for p in (SAMPLE / "images").glob("*.png")}
    assert names == set(tool.SCENES)
    # zlib-ng, which some Pythons link instead of zlib, compresses the same pixels into other bytes.
    same_compressor = "ng" not in zlib.ZLIB_RUNTIME_VERSION
    for name in sorted(names):
        committed, drawn = (SAMPLE / "images" / f"{name}.png").read_bytes(), tool.render(name)
        assert png_pixels(committed) == png_pixels(drawn), name
        if same_compressor:
            assert committed == drawn, name
