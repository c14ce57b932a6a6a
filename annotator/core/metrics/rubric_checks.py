"""Heuristics that judge a rubric as a whole (RIFT modes given on the item): what it leaves out, what it says
twice, and whether it could tell a strong response from a weak one.

Each takes an item and returns a score in [0, 1]; 0.5 is the default decision threshold.
"""

from __future__ import annotations

import re

import numpy as np

from ..model import Item
from .criterion_checks import REQUIREMENT_VERBS, requirement_clauses
from .text import RUBRIC_FILLER, content_stems, similarity, stem, words

# --- missing_criteria ------------------------------------------------------------------------------------------

LIST_LINE = re.compile(r"^\s*(?:[-*•]|\(?\d{1,2}[.)]|\(?[a-h][.)])\s+(.*\S)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
ASKING = re.compile(
    r"\b(must|should|need to|needs to|make sure|be sure|ensure|required?|include|including|please|i want|"
    r"i need|i'd like|i would like|don't|do not|avoid|never|always|has to|have to|can you|could you)\b", re.I)
IMPERATIVES = frozenset(stem(v) for v in """
write explain list give describe provide create compare summarize summarise calculate find show prove derive
suggest recommend draft design build implement translate rewrite analyze analyse identify outline propose tell
help make keep use include add convert generate plan estimate evaluate cite name discuss state compute return
sort plot format answer respond reply review fix debug optimize refactor predict classify extract
""".split())
CODE_FENCE = re.compile(r"```.*?(?:```|$)", re.S)  # code the prompt quotes is material, not asks
COVERAGE_FLOOR = 0.5  # share of a requirement's words the criteria must use for it to count as covered
SIMILARITY_FLOOR = 0.25  # or TF-IDF cosine with its closest criterion


def prompt_requirements(prompt: str) -> list[str]:
    """The asks of a prompt: list lines, sentences with "must", "should", "include", "please"..., sentences
    led by an imperative, and questions; each split further into its verb-led clauses."""
    found: list[str] = []
    for line in CODE_FENCE.sub(" ", prompt).splitlines():
        m = LIST_LINE.match(line)
        if m:
            found.append(m.group(1))
            continue
        for sentence in SENTENCE_END.split(line):
            sentence = sentence.strip()
            toks = words(sentence)
            if len(toks) < 2:
                continue
            imperative = stem(toks[0]) in IMPERATIVES or (toks[0] in ("please", "also", "then") and len(toks) > 1
                                                          and stem(toks[1]) in IMPERATIVES)
            if imperative or ASKING.search(sentence) or sentence.endswith("?"):
                found.append(sentence)
    asks: list[str] = []
    for req in found:
        clauses = requirement_clauses(req, REQUIREMENT_VERBS | IMPERATIVES)
        asks.extend(clauses if len(clauses) > 1 else [req])
    return asks


def _keywords(text: str) -> set[str]:
    """What a criterion is about: its content stems without verbs of asking ("explains", "describes")."""
    return content_stems(text, drop=RUBRIC_FILLER) - REQUIREMENT_VERBS - IMPERATIVES


def _ask_keywords(ask: str) -> set[str]:
    """What an ask is about: its content stems without its leading verb ("list" stays in "sort the list")."""
    toks = words(ask)
    lead = {stem(toks[0])} if toks else set()
    return content_stems(ask, drop=RUBRIC_FILLER) - lead


def uncovered_requirements(item: Item) -> tuple[list[str], int]:
    """Prompt requirements that no criterion covers (by shared words or TF-IDF similarity), and how many
    checkable requirements the prompt has in all."""
    asks = [a for a in prompt_requirements(item.prompt) if _ask_keywords(a)]
    if not asks:
        return [], 0
    crit_texts = [c.text for c in item.criteria]
    crit_words: set[str] = set().union(*(content_stems(t) for t in crit_texts)) if crit_texts else set()
    sims = similarity(asks, crit_texts) if crit_texts else np.zeros((len(asks), 0))
    missing = []
    for k, ask in enumerate(asks):
        kw = _ask_keywords(ask)
        share = len(kw & crit_words) / len(kw)
        best = float(sims[k].max()) if sims.shape[1] else 0.0
        if k == 0:  # the task itself ("write a sonnet about..."): criteria judge it by its aspects
            covered = len(kw & crit_words) >= 2 or share > COVERAGE_FLOOR / 2 or best >= SIMILARITY_FLOOR / 2
        else:
            covered = share >= COVERAGE_FLOOR or best >= SIMILARITY_FLOOR
        if not covered:
            missing.append(ask)
    return missing, len(asks)


def missing_criteria(item: Item) -> float:
    """A must-have of the prompt that no criterion checks. The prompt's asks are its list lines, sentences
    with "must", "should", "include", "please", "make sure"..., imperative sentences and questions, split into
    verb-led clauses (code blocks the prompt quotes are skipped). An ask with a content word counts as covered
    when the criteria use half of its words or one criterion is TF-IDF-similar to it (cosine >= 0.25); the
    first ask, usually the task itself, needs only half that, or two shared words: criteria judge a task by
    its aspects. Any uncovered ask scores 0.55, rising
    to 0.95 as the uncovered share grows; a rubric with asks and no criteria scores 1.
    """
    missing, total = uncovered_requirements(item)
    if not total or not missing:
        return 0.0
    if not item.criteria:
        return 1.0
    return round(min(0.95, 0.45 + 0.5 * len(missing) / total + (0.1 if len(missing) > 1 else 0.0)), 3)


# --- redundant_criteria ----------------------------------------------------------------------------------------

# A lower stage and a higher stage of the same requirement: checking both is a prerequisite pair, not redundancy.
LOWER_STAGE = frozenset(stem(w) for w in """
compile compiles run runs execute executes attempt attempts provide provides give gives state states mention
mentions identify identifies list lists present presents include includes exist exists load loads start starts
respond responds output outputs return returns submit submits define defines name names
""".split())
HIGHER_STAGE = frozenset(stem(w) for w in """
pass passes correct correctly accurate accurately test tests explain explains justify justifies prove proves
valid validate verify right success successfully work works complete completes optimal efficient efficiently
""".split())
NEGATION = re.compile(r"\b(not|never|no|avoid|avoids|without|refrain|refrains|fails?)\b", re.I)
REDUNDANT_FROM = 0.35  # similarity below which a pair is not redundant at all
REDUNDANT_SPAN = 0.4  # similarity above REDUNDANT_FROM that reaches full confidence


def _prerequisite_pair(a: str, b: str) -> bool:
    wa, wb = {stem(w) for w in words(a)}, {stem(w) for w in words(b)}
    only_a, only_b = wa - wb, wb - wa
    return bool((only_a & LOWER_STAGE and only_b & HIGHER_STAGE) or (only_b & LOWER_STAGE and only_a & HIGHER_STAGE))


def pair_redundancy(a: str, b: str, alike: float) -> float:
    """How alike two criteria are (`alike`: mean of TF-IDF cosine and the overlap of their content words),
    discounted when they are two stages of one requirement ("compiles" and
    "passes the tests") or when one forbids what the other asks."""
    if " ".join(words(a)) == " ".join(words(b)):
        return 1.0
    sim = alike
    if _prerequisite_pair(a, b):
        sim *= 0.4
    if bool(NEGATION.search(a)) != bool(NEGATION.search(b)):
        sim *= 0.5
    return sim


def redundant_pairs(item: Item) -> list[tuple[str, str, float]]:
    """Criterion id pairs with their discounted similarity, most alike first."""
    crits = list(item.criteria)
    if len(crits) < 2:
        return []
    texts = [c.text for c in crits]
    sims = similarity(texts, texts)
    stems = [_keywords(t) for t in texts]
    pairs = []
    for i in range(len(crits)):
        for j in range(i + 1, len(crits)):
            union = stems[i] | stems[j]
            if len(union) >= 2:
                alike = (float(sims[i, j]) + len(stems[i] & stems[j]) / len(union)) / 2
            else:  # one content word between them: word overlap says little, the whole wording decides
                alike = float(sims[i, j])
            pairs.append((crits[i].id, crits[j].id, pair_redundancy(texts[i], texts[j], alike)))
    return sorted(pairs, key=lambda p: -p[2])


def redundant_criteria(item: Item) -> float:
    """Two criteria that measure the same thing, so one requirement is paid twice. Criteria are compared by
    the mean of their TF-IDF cosine (word stems and stem pairs) and the overlap (Jaccard) of their content
    words, leaving out verbs such as "explains" or "describes"; a pair that is a lower and a higher stage of one requirement
    ("compiles" / "passes the tests", "states" / "justifies") counts at 40%, a pair where one forbids what the
    other asks at half. The most alike pair decides: similarity 0.35 scores 0, 0.55 scores 0.5, 0.75 or more 1;
    identical texts score 1.
    """
    pairs = redundant_pairs(item)
    if not pairs:
        return 0.0
    best = pairs[0][2]
    return round(float(np.clip((best - REDUNDANT_FROM) / REDUNDANT_SPAN, 0.0, 1.0)), 3)


# --- low_signal ------------------------------------------------------------------------------------------------

GENERIC = frozenset(stem(w) for w in """
clear clearly well organized organised structure structured grammar grammatical spelling spelled tone polite
professional concise readable relevant helpful accurate complete completeness quality writing written format
formatted coherent engaging fluent error errors typo typos style length appropriate appropriately good overall
detail detailed thorough comprehensive logical flow easy understand understandable follows follow instructions
instruction correct correctly question respectful friendly informative accessible language presentation
presented free mistakes factual facts content information useful tries attempt attempts effort responsive
consistent consistency neat professional tidy
""".split())


def generic_criteria(item: Item) -> list[str]:
    """Ids of criteria that would fit any prompt: once generic words ("clear", "well organized", "no typos",
    "follows the instructions") are set aside, nothing of the prompt is left in them."""
    prompt_words = content_stems(item.prompt, drop=RUBRIC_FILLER)
    out = []
    for c in item.criteria:
        kw = content_stems(c.text, drop=RUBRIC_FILLER)
        specific = kw - GENERIC
        if not specific:
            out.append(c.id)
        elif prompt_words and not (specific & prompt_words) and len(kw & GENERIC) >= len(specific):
            out.append(c.id)
    return out


def low_signal(item: Item) -> float:
    """A rubric that would score a weak and a strong response alike. Its criteria are generic: after setting
    aside words that fit any answer ("clear", "well organized", "no spelling errors", "helpful", "follows the
    instructions"), they share nothing with the prompt. The score is the share of generic criteria (a rubric
    with no criteria scores 1), so half generic sits at the threshold and an all-generic rubric scores 1.
    """
    if not item.criteria:
        return 1.0
    return round(len(generic_criteria(item)) / len(item.criteria), 3)
