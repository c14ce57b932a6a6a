"""Small text tools the rubric heuristics share: words, crude stems, content words and TF-IDF similarity.

The heuristics must run offline on a laptop with no model to download, so they work from surface words.
A crude suffix-stripping stem is enough to match "explains" with "explain" and "examples" with "example";
the tools are kept here so every heuristic tokenises the same way.
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

WORD = re.compile(r"[a-z][a-z0-9'+#-]*|\d+(?:\.\d+)?")

# Words that ask for a response in general rather than for anything this prompt is about.
RUBRIC_FILLER = frozenset("""
response answer answers responds respond reply model assistant user question questions prompt task output
provide provides provided give gives include includes included mention mentions mentioned state states
address addresses addressed discuss discusses use uses using make makes ensure ensures contain contains
should must need needs required requirement requirements overall also well way ways thing things
""".split())


def words(text: str) -> list[str]:
    """Lower-case word tokens (keeps numbers, and symbols inside names such as c++ or c#)."""
    return [w[:-2] if w.endswith("'s") else w.rstrip("'")
            for w in WORD.findall(text.lower().replace("’", "'"))]


# Near-synonyms rubrics use for one requirement; each group is read as its first word, so "well commented" and
# "well documented" meet. Kept small and to rubric vocabulary: a wrong merge would hide real differences.
SYNONYM_GROUPS = (
    "polite courteous respectful",
    "document comment annotate",
    "resonant touching poignant evocative",
    "concise brief succinct short terse",
    "thorough comprehensive exhaustive complete",
    "engaging captivating compelling gripping",
    "organized organised structured",
    "clear lucid understandable",
    "correct accurate",
    "mistake error",
    "cite reference source",
    "example instance",
    "explain describe",
    "mention state",
    "list enumerate",
)


def _raw_stem(word: str) -> str:
    w = word.lower()
    if len(w) <= 3 or w[0].isdigit():
        return w
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ise", ""), ("ize", ""), ("ising", ""), ("izing", ""),
                         ("ised", ""), ("ized", ""), ("ing", ""), ("edly", ""), ("ed", ""), ("es", ""),
                         ("ly", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + keep
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiousl":  # "runn" -> "run", but keep "pass", "all"
        w = w[:-1]
    if w.endswith(("e", "y")) and len(w) > 4:  # "summary" and "summarise" both become "summar"
        w = w[:-1]
    elif w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


CANONICAL = {_raw_stem(w): _raw_stem(group.split()[0]) for group in SYNONYM_GROUPS for w in group.split()}


def stem(word: str) -> str:
    """A crude stem: strips the commonest English inflections so word forms of one root meet, then reads
    near-synonyms of rubric vocabulary as one word."""
    w = _raw_stem(word)
    return CANONICAL.get(w, w)


def content_stems(text: str, drop: Iterable[str] = ()) -> set[str]:
    """Stems of the words that carry meaning: no stop words, no one- or two-letter words, none in `drop`."""
    dropped = set(drop)
    return {stem(w) for w in words(text)
            if w not in ENGLISH_STOP_WORDS and len(w) > 2 and w not in dropped and not w.isdigit()}


def analyzer(text: str) -> list[str]:
    """TF-IDF features: content stems and adjacent stem pairs (pairs keep "unit test" apart from "unit")."""
    toks = [stem(w) for w in words(text) if w not in ENGLISH_STOP_WORDS and len(w) > 1]
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]


def similarity(texts_a: list[str], texts_b: list[str]) -> np.ndarray:
    """TF-IDF cosine similarity between every text of `texts_a` and every text of `texts_b` (fitted on both,
    so a word common to the whole rubric weighs less than one that sets two lines apart)."""
    if not texts_a or not texts_b:
        return np.zeros((len(texts_a), len(texts_b)))
    vec = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
    try:
        matrix = vec.fit_transform(texts_a + texts_b)
    except ValueError:  # nothing but stop words
        return np.zeros((len(texts_a), len(texts_b)))
    return cosine_similarity(matrix[: len(texts_a)], matrix[len(texts_a):])


def has_any(text: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    return any(p.search(text) for p in patterns)
