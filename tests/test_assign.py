"""Work packages (`annotator assign`): the plan's overlap and balance, the packs it writes, and the work coming
back through merge into progress against the plan."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations

import pytest

from annotator.core import Project
from annotator.core.assign import plan_assignment
from annotator.core.errors import AnnotatorError, UsageError
from annotator.core.merge import merge_projects

TEAM = ["alice", "bob", "carol", "dan"]


def rubric_records(n: int) -> list[dict]:
    return [{"id": f"r{k:03d}", "kind": "rubric", "prompt": f"Task {k}", "criteria": [f"Does {k}", "Is short"]}
            for k in range(n)]


def test_hundred_items_four_annotators_overlap_two_ten_shared():
    items = [f"r{k:03d}" for k in range(100)]
    plan = plan_assignment(items, TEAM, overlap=2, shared=10, seed=7)
    per_item = Counter(i for pack in plan.packs.values() for i in pack)
    assert set(per_item) == set(items)
    assert len(plan.shared) == 10
    assert all(per_item[i] == 4 for i in plan.shared)
    assert all(per_item[i] == 2 for i in items if i not in plan.shared)
    loads = [len(pack) for pack in plan.packs.values()]
    assert sum(loads) == 10 * 4 + 90 * 2
    assert max(loads) - min(loads) <= 1  # 55 each
    for pack in plan.packs.values():
        assert pack == sorted(pack)  # the project's list order
        assert len(set(pack)) == len(pack)
    # every pair shares the calibration set plus about a sixth of the 90 doubly labelled items
    pairs = plan.pair_overlap()
    assert len(pairs) == 6
    assert min(pairs.values()) >= 10 + 12 and max(pairs.values()) <= 10 + 18


@pytest.mark.parametrize("n_items,team,overlap,shared", [
    (37, ["a", "b", "c"], 2, 0), (50, ["a", "b", "c", "d", "e"], 3, 4), (11, ["a", "b"], 1, 11), (9, ["a"], 1, 0),
])
def test_loads_balanced_to_within_one_item(n_items, team, overlap, shared):
    items = [f"i{k}" for k in range(n_items)]
    plan = plan_assignment(items, team, overlap=overlap, shared=shared, seed=1)
    loads = [len(pack) for pack in plan.packs.values()]
    assert max(loads) - min(loads) <= 1
    per_item = Counter(i for pack in plan.packs.values() for i in pack)
    assert all(per_item[i] == (len(team) if i in plan.shared else overlap) for i in items)


def test_the_seed_decides_the_plan():
    items = [f"r{k:03d}" for k in range(40)]
    one = plan_assignment(items, TEAM, overlap=2, shared=5, seed=3)
    assert plan_assignment(items, TEAM, overlap=2, shared=5, seed=3) == one
    assert plan_assignment(items, TEAM, overlap=2, shared=5, seed=4) != one


@pytest.mark.parametrize("team,overlap,shared,words", [
    (TEAM, 0, 0, "--overlap"), (TEAM, 5, 0, "--overlap"), (TEAM, 2, 101, "--shared"), (TEAM, 2, -1, "--shared"),
    (["alice", "Alice"], 1, 0, "twice"), (["../x"], 1, 0, "file name"), ([], 1, 0, "at least one"),
])
def test_impossible_plans_are_usage_errors(team, overlap, shared, words):
    with pytest.raises(UsageError, match=words):
        plan_assignment([f"r{k}" for k in range(100)], team, overlap=overlap, shared=shared)


@pytest.fixture
def lead(tmp_path, make_jsonl):
    path = tmp_path / "lead.sqlite"
    with Project.create(path) as project:
        project.import_items([make_jsonl("rubrics.jsonl", rubric_records(100))])
    return path


def test_packs_go_out_and_the_work_comes_back_through_merge(lead, tmp_path, run_cli):
    out = tmp_path / "packs"
    code, stdout, err = run_cli("assign", lead, "--annotators", ",".join(TEAM), "--overlap", "2", "--shared", "10",
                                "--taxonomy", "rift", "--out", out)
    assert code == 0, err
    assert "calibration" in stdout
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"{name}.sqlite" for name in sorted(TEAM)]  # no temporary file left behind
    with Project.open(lead) as project:
        packs = project.assignments.packs()
    assert sorted(packs) == sorted(TEAM)
    for name in TEAM:
        with Project.open(out / f"{name}.sqlite") as pack:
            assert pack.items.ids() == packs[name]
            assert pack.taxonomies.ids() == ["rift"]
            assert pack.labels.count() == 0
    # alice and bob each label and finish three of their items
    given = {}
    for name in ("alice", "bob"):
        with Project.open(out / f"{name}.sqlite") as pack:
            mine = pack.items.ids()[:3]
            for item in mine:
                pack.labels.toggle(item, "rift", name, "criterion:c1", "subjective")
                pack.completion.set_done(item, "rift", name)
            given[name] = mine
            if name == "alice":  # she worked on her first item with a metric's suggestions on screen
                pack.suggestions.record_shown(mine[0], "rift", name, "judge")
    code, stdout, err = run_cli("merge", lead, *sorted(out.glob("*.sqlite")))
    assert code == 0, err
    code, stdout, err = run_cli("info", lead, "--json")
    info = json.loads(stdout)
    progress = info["assignments"]
    assert progress["alice"] == {"assigned": 55, "shared": 10, "done": {"rift": 3}}
    assert progress["bob"]["done"] == {"rift": 3}
    assert progress["carol"]["done"] == {} and progress["carol"]["assigned"] == 55
    with Project.open(lead) as project:
        data = project.label_data("rift")
    for name, items in given.items():
        mine = data.labels[data.labels["annotator"] == name]
        assert sorted(mine["item_id"]) == sorted(items)
    code, stdout, _ = run_cli("info", lead)
    assert "alice assigned 55 (10 calibration): rift 3" in stdout
    with Project.open(lead) as project:  # the record of suggestions seen comes back too, for the anchoring report
        assert project.suggestions.shown("rift").to_dict("records") == [
            {"item_id": given["alice"][0], "annotator": "alice", "metric": "judge"}]
    code, stdout, err = run_cli("merge", lead, out / "alice.sqlite")  # merging again changes nothing
    assert code == 0 and "0 labels" in stdout


def test_existing_packs_are_never_overwritten(lead, tmp_path, run_cli):
    out = tmp_path / "packs"
    out.mkdir()
    (out / "bob.sqlite").write_bytes(b"bob's unsaved work")
    code, _, err = run_cli("assign", lead, "--annotators", "alice,bob", "--overlap", "1", "--out", out)
    assert code == 1
    assert "not overwriting" in err
    assert (out / "bob.sqlite").read_bytes() == b"bob's unsaved work"
    assert sorted(p.name for p in out.iterdir()) == ["bob.sqlite"]
    with Project.open(lead) as project:
        assert not project.assignments.exists()


def test_caption_images_travel_with_the_pack(filled_project, tmp_path):
    from annotator.core.assign import write_packs

    ids = filled_project.items.ids()
    plan = plan_assignment(ids, ["alice", "bob"], overlap=2)
    write_packs(filled_project, plan, tmp_path / "packs")
    with Project.open(tmp_path / "packs" / "bob.sqlite") as pack:
        assert pack.items.ids() == ids
        captions = [i for i in ids if filled_project.items.get(i).kind == "caption"]
        assert captions
        for item in captions:
            assert pack.items.image_bytes(item) == filled_project.items.image_bytes(item)


def test_a_new_plan_replaces_the_old_one(lead, tmp_path):
    from annotator.core.assign import write_packs

    with Project.open(lead) as project:
        ids = project.items.ids()
        write_packs(project, plan_assignment(ids, TEAM, overlap=1), tmp_path / "one")
        write_packs(project, plan_assignment(ids[:10], ["erin", "fay"], overlap=2), tmp_path / "two")
        assert sorted(project.assignments.progress()) == ["erin", "fay"]
        assert project.assignments.packs()["erin"] == ids[:10]


def test_unknown_taxonomy_writes_nothing(lead, tmp_path, run_cli):
    code, _, err = run_cli("assign", lead, "--annotators", "a,b", "--taxonomy", "nope", "--out", tmp_path / "p")
    assert code == 1 and "nope" in err
    assert not (tmp_path / "p").exists()


def test_pair_overlap_counts_shared_items():
    plan = plan_assignment(["x", "y", "z"], ["a", "b", "c"], overlap=3)
    assert plan.pair_overlap() == {pair: 3 for pair in combinations(["a", "b", "c"], 2)}


def test_assigning_to_a_second_file_fails_plainly(lead, tmp_path):
    from annotator.core.assign import write_packs

    target = tmp_path / "afile"
    target.write_text("x")
    with Project.open(lead) as project, pytest.raises(AnnotatorError, match="not a folder"):
        write_packs(project, plan_assignment(project.items.ids(), ["a"], overlap=1), target)
