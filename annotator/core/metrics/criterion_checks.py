"""Heuristics that judge one rubric criterion at a time (RIFT modes given on criteria).

Each takes the criterion text and its item (for the prompt) and returns a score in [0, 1]: the heuristic's
confidence that the failure mode is present. 0.5 is the default decision threshold, so the scores are placed so
that a clear case lands well above it and a hedged one (the trigger is there, but so is what defuses it) below.
"""

from __future__ import annotations

import re

from ..model import Item
from .text import has_any, stem, words

# --- subjective --------------------------------------------------------------------------------------------------

VAGUE = re.compile(
    r"\b(clear(?:ly)?|appropriate(?:ly)?|comprehensive(?:ly)?|thorough(?:ly)?|"
    r"well[- ](?:written|structured|organi[sz]ed|reasoned|explained|supported|argued|presented)|"
    r"engaging|high[- ]quality|good|great|excellent|reasonable|adequate(?:ly)?|sufficient(?:ly)?|relevant|"
    r"concise(?:ly)?|detailed|insightful|effective(?:ly)?|professional(?:ly)?|polished|coherent(?:ly)?|helpful|"
    r"meaningful|compelling|nuanced|robust|elegant(?:ly)?|natural(?:ly)?|fluent(?:ly)?|proper(?:ly)?|suitable|"
    r"logical(?:ly)?|readable|creative|informative|persuasive|empathetic|balanced|in-depth|solid|convincing|"
    r"interesting|engaging|easy to (?:read|follow|understand)|user-friendly|strong|efficient(?:ly)?|vivid(?:ly)?|"
    r"funny|humorous|beautiful(?:ly)?|evocative|polite(?:ly)?|courteous|resonant|emotionally \w+|"
    r"best practices?|quality of the \w+|well[- ](?:documented|commented|researched|crafted|paced))\b", re.I)

ANCHORS = (
    re.compile(r"\d"),
    re.compile(r"\be\.g\.|\bi\.e\.|\b(at least|at most|no more than|no fewer than|exactly|for example|"
               r"for instance|such as|namely|specifically|defined as|meaning that|that is,|each of|"
               r"all of the following|checklist|one of the following)\b", re.I),
    re.compile(r"[\"“”][^\"“”]{3,}[\"“”]"),  # a quoted phrase to look for (not apostrophes)
    re.compile(r"\([^)]{4,}\)"),  # a parenthetical that spells out what is meant
    re.compile(r":\s*\S+.*[,;]"),  # a colon introducing a list
)


def subjective(text: str, item: Item) -> float:
    """Unanchored judgement words. The criterion leans on words such as "clear", "appropriate",
    "comprehensive", "well-written", "engaging", "high quality", which two graders read differently, and gives
    nothing that pins them down: no number, example, quoted phrase, list after a colon, "at least", "e.g.".
    One such word scores 0.6, each further one 0.15 more (to 0.95); an anchor anywhere cuts the score to a third.
    """
    hits = VAGUE.findall(text)
    if not hits:
        return 0.0
    score = round(min(0.95, 0.6 + 0.15 * (len(hits) - 1)), 3)
    return round(score * 0.35, 3) if has_any(text, ANCHORS) else score


# --- non_atomic --------------------------------------------------------------------------------------------------

REQUIREMENT_VERBS = frozenset(stem(v) for v in """
explain describe include provide list mention identify state cite compare contrast discuss give use define show
recommend calculate compute derive prove summarize summarise address acknowledge suggest outline propose justify
avoid handle return implement test document specify warn advise ask offer evaluate analyze analyse estimate report
format structure organize organise answer refer highlight emphasize clarify convert check verify validate sort print
plot write add remove keep follow conclude name interpret assess consider demonstrate illustrate
recognize recognise distinguish quantify rank select choose mentions refrain produce
""".split())
LEAD_IN = frozenset("the response answer model it also and then correctly clearly accurately explicitly briefly "
                    "properly fully should must does do to".split())
CLAUSE_SPLIT = re.compile(r";|,\s*(?:and|or|but)?\s*|\s+(?:and|as well as|plus|then|also|while)\s+", re.I)
PARTIAL_CREDIT = re.compile(
    r"\b(partial(?:ly)? credit|partial points?|half (?:credit|a point|the points)|\d+(?:\.\d+)? points? (?:each|"
    r"per)|each (?:worth|earns|is worth)|per (?:item|element|point|correct)|one point for each|for each of)\b", re.I)
COPULA = re.compile(r"\b(?:is|are|be|being)\b", re.I)  # "the code is correct, thread-safe and fast"
AND_LIST = re.compile(r"[^,;]+,[^,;]+,?\s+and\s+\S", re.I)  # "A, B and C" / "A, B, and C"


PARENTHESES = re.compile(r"\([^()]*\)")
# examples and asides, not asks: "(...)", "[...]", and "e.g. / such as ..." up to the end of the sentence
BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|(?:\be\.g\.|\bi\.e\.|\bfor example\b|\bsuch as\b).*?(?:[.;](?=\s|$)|$)",
                       re.I)


def _verb_led(piece: str, verbs: frozenset[str]) -> bool:
    """Whether a piece starts (after "the response", "also", "correctly"...) with a requirement verb."""
    toks = [w for w in words(piece) if w not in LEAD_IN]
    if toks and toks[0].endswith("ly") and len(toks) > 1:  # "explicitly states", "briefly lists"
        toks = toks[1:]
    return bool(toks) and stem(toks[0]) in verbs


def requirement_clauses(text: str, verbs: frozenset[str] = REQUIREMENT_VERBS) -> list[str]:
    """The asks in a sentence: it is split on commas, semicolons and "and"-like joins (not inside
    parentheses); a piece led by a requirement verb ("explains", "lists", "cites", "avoids"...) starts a new
    ask, any other piece ("open addressing" in "compare chaining and open addressing") belongs to the ask
    before it."""
    text = PARENTHESES.sub(lambda m: re.sub(r"[,;]", " ", m.group(0)), text)
    asks: list[str] = []
    for piece in CLAUSE_SPLIT.split(text):
        piece = (piece or "").strip()
        if not piece:
            continue
        if _verb_led(piece, verbs):
            asks.append(piece)
        elif asks:
            asks[-1] = f"{asks[-1]} and {piece}"
    return asks


def non_atomic(text: str, item: Item) -> float:
    """Bundled requirements. The criterion asks for several things that could each pass or fail on their own
    ("explains the cause, cites a source and suggests a fix"), counted as clauses led by a requirement verb and
    joined by commas, semicolons or "and"; a verb or "is" followed by a list of three or more things joined by
    "and" ("is correct, thread-safe and fast") counts as a weaker bundle; examples after "e.g."/"such as" do not. Two requirements score 0.6, each further one 0.15 more; a list scores 0.55. A
    stated partial-credit rule ("1 point each") defuses it to a quarter.
    """
    clauses = requirement_clauses(text)
    if len(clauses) >= 2:
        score = round(min(0.95, 0.6 + 0.15 * (len(clauses) - 2)), 3)
    elif (clauses or COPULA.search(text)) and AND_LIST.search(BRACKETED.sub(" ", text)):
        score = 0.55
    else:
        return 0.0
    return round(score * 0.25, 3) if PARTIAL_CREDIT.search(text) else score


# --- ungrounded --------------------------------------------------------------------------------------------------

CORRECTNESS = re.compile(
    r"\b(correct(?:ly|ness)?|accurate(?:ly)?|accuracy|valid(?:ity)?|right answer|factual(?:ly)?|true|truthful|"
    r"precise(?:ly)?|error[- ]free|without (?:any )?errors|no (?:factual )?errors|exact answer|sound)\b", re.I)
GROUNDING = (
    re.compile(r"\d"),
    re.compile(r"[=≈±]|\+/-"),
    re.compile(r"\b(tolerance|within|answer is(?! (?:correct|right|accurate|valid|true))|equals?|equal to|should be|must be|is approximately|answer key|"
               r"reference|expected (?:output|answer|value|result)|according to|as given|matches|match the|"
               r"per the|ground truth|test cases?|unit tests?|namely|specifically|such as)\b|\bi\.e\.|\be\.g\.", re.I),
    re.compile(r"[\"“”][^\"“”]{2,}[\"“”]"),
    re.compile(r"\b(?:states?|notes?|identif(?:y|ies)|explains?|concludes?|recogni[sz]es?)\s+that\s+\w+", re.I),
    re.compile(r"\b(?:identif\w*|classif\w*|label\w*|diagnos\w*)\b.*\bas\s+(?:an?\s+|the\s+)?\w+", re.I),
    re.compile(r":\s*\S"),
    re.compile(r"\bvalid (?:json|yaml|xml|csv|html|markdown|python|sql|syntax|code|email|url|iso)\b", re.I),
)


def ungrounded(text: str, item: Item) -> float:
    """Correctness with nothing to check it against. The criterion demands a "correct", "accurate", "valid"
    result or "the right answer" but gives no answer key, expected value, tolerance, reference, quoted fact or
    "states that ..." clause, so each grader must solve the task to grade it, and graders who solve it
    differently disagree. A mechanical check ("valid JSON") is grounded by its format. 0.75, 0.85 with two such demands; any grounding cuts it to 0.1.
    """
    hits = CORRECTNESS.findall(text)
    if not hits:
        return 0.0
    if has_any(text, GROUNDING):
        return 0.1
    return 0.85 if len(hits) > 1 else 0.75


# --- misaligned_or_rigid -----------------------------------------------------------------------------------------

TOOLS = ("python", "pandas", "numpy", "scipy", "sql", "javascript", "typescript", "java", "c++", "c#", "rust",
         "golang", "excel", "matlab", "latex", "react", "django", "flask", "pytorch", "tensorflow", "scikit-learn",
         "sklearn", "matplotlib", "seaborn", "regex", "bash", "docker", "kubernetes", "spark", "julia", "haskell",
         "ruby", "php", "swift", "kotlin", "scala", "polars", "jupyter", "powerpoint", "word document", "grep",
         "awk", "sed", "pytest", "unittest", "cte", "window function", "recursion", "numba", "asyncio")
FORMATS: dict[str, tuple[str, ...]] = {
    # format demanded -> words in a prompt that ask for it
    r"\btables?\b|\btabular\b": ("table", "tabular", "tables", "columns", "grid"),
    r"\bjson\b": ("json",),
    r"\byaml\b": ("yaml",),
    r"\bcsv\b": ("csv", "comma-separated", "spreadsheet"),
    r"\bxml\b": ("xml",),
    r"\bmarkdown\b": ("markdown",),
    r"\bbullet(?:ed)?(?: points?| list)?s?\b": ("bullet", "bullets", "bulleted", "list", "points"),
    r"\bnumbered list\b": ("numbered", "list", "steps"),
    r"\bheadings?\b|\bheaders?\b|\bsections?\b": ("heading", "headings", "header", "headers", "section",
                                                   "sections"),
    r"\bcode block\b": ("code", "snippet", "script", "program"),
    r"\b(?:apa|mla|chicago|harvard|ieee)\b(?: style| format)?": ("apa", "mla", "chicago", "harvard", "ieee",
                                                                  "citation", "cite", "references"),
    r"\bhaiku\b|\bsonnet\b|\blimerick\b": ("haiku", "sonnet", "limerick", "poem"),
    r"\bin bold\b|\bbold(?:ed)?\b|\bitalics?\b": ("bold", "italic", "italics", "emphasis", "markdown"),
}
LENGTH = re.compile(
    r"\b(?:(?:under|fewer than|less than|at most|no more than|maximum of|max(?:imum)?|within|exactly|at least|"
    r"minimum of|over|more than|between)\s+\d+(?:\s*(?:-|to|and)\s*\d+)?\s+|\d+\+?\s*(?:-|to)?\s*\d*\s*)"
    r"(words?|sentences?|paragraphs?|characters?|lines?|pages?|tokens?)\b"
    r"|\b(?:one|single|two|three|a)[- ](sentence|paragraph|line|page)\b", re.I)
LENGTH_WORDS = ("word", "words", "sentence", "sentences", "paragraph", "paragraphs", "length", "long", "short",
                "brief", "briefly", "concise", "characters", "lines", "page", "pages", "tweet", "summary")
STRICT = re.compile(r"\b(must|only|strictly|exclusively|solely|no other|required to|mandatory)\b", re.I)


def _mentions(prompt_words: set[str], prompt: str, terms: tuple[str, ...]) -> bool:
    return any((t in prompt_words) if " " not in t and t.isalnum() else (t in prompt) for t in terms)


def demanded_constraints(text: str, prompt: str) -> list[str]:
    """Tools, formats and lengths the criterion demands but the prompt never brings up."""
    low, prompt_low = text.lower(), prompt.lower()
    crit_words, prompt_words = set(words(low)), set(words(prompt_low))
    found = []
    for tool in TOOLS:
        present = tool in crit_words if tool.isalnum() else tool in low
        if present and not _mentions(prompt_words, prompt_low, (tool,)):
            found.append(tool)
    for pattern, asks in FORMATS.items():
        m = re.search(pattern, low)
        if m and not _mentions(prompt_words, prompt_low, asks):
            found.append(m.group(0))
    m = LENGTH.search(low)
    if m and not _mentions(prompt_words, prompt_low, LENGTH_WORDS):
        found.append(m.group(0))
    return found


def misaligned_or_rigid(text: str, item: Item) -> float:
    """Strictness the prompt never asked for. The criterion mandates a tool or language ("uses pandas"), a
    format ("in a table", "as JSON", "APA style") or a length ("under 200 words") and the prompt mentions
    nothing of the kind (for lengths: no word count and no "brief", "short", "concise"). One such demand scores
    0.7, each further one 0.1 more, and strict wording ("must", "only", "strictly") 0.1 more, to 0.95.
    """
    found = demanded_constraints(text, item.prompt)
    if not found:
        return 0.0
    score = 0.7 + 0.1 * (len(found) - 1) + (0.1 if STRICT.search(text) else 0.0)
    return round(min(0.95, score), 3)


# --- hackable ----------------------------------------------------------------------------------------------------

COUNTED = (r"examples?|words?|sources?|references?|citations?|points?|items?|paragraphs?|sentences?|bullets?|"
           r"bullet points|reasons?|ideas?|options?|steps?|facts?|keywords?|studies|papers|pages?|lines?|tips?|"
           r"strategies|arguments?|benefits?|features?|quotes?|statistics|links|tools|methods|techniques|risks")
NUMBER = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many|multiple|numerous)"
PROXIES = (
    re.compile(rf"\b(?:at least|a minimum of|minimum of|no fewer than|more than|over|upwards of)\s+{NUMBER}\s+"
               rf"(?:\w+\s+)?(?:{COUNTED})\b", re.I),
    re.compile(rf"\b\d+\+\s*(?:\w+\s+)?(?:{COUNTED})\b", re.I),
    re.compile(rf"\b(?:many|numerous|multiple|lots of|plenty of)\s+(?:{COUNTED})\b", re.I),
    re.compile(r"\b(?:mentions?|uses?|includes?|contains?|says?)\s+the\s+(?:exact\s+)?(?:word|term|phrase|keyword)s?\b",
               re.I),
    re.compile(r"\bkeywords?\b|\bword count\b|\bbuzzwords?\b", re.I),
    re.compile(r"\b(?:longer|lengthy|as many|the more|the longer|extensive(?:ly)?|length of)\b", re.I),
)
QUALITY_GATE = re.compile(
    r"\b(relevant|correct(?:ly)?|accurate(?:ly)?|distinct|different|non-?trivial|meaningful|specific|substantive|"
    r"credible|peer[- ]reviewed|valid|real|genuine|verifiable|justif\w*|supported by|each (?:of which|explained|"
    r"with|backed|tied|linked)|explain(?:s|ing)? (?:why|how)|in context|used correctly|applied to)\b", re.I)


NEGATED = re.compile(r"\b(?:not|never|no|avoids?|without|free of)\b[^.;]*$", re.I)  # "does not use the word"


def hackable(text: str, item: Item) -> float:
    """Proxies that can be inflated. Full marks come from a count, a length or a keyword ("at least 5
    examples", "500+ words", "mentions the word 'sustainability'", "the longer the better") with no gate on
    quality, so padding earns the points (a forbidden word, "does not use the word X", is no proxy). One proxy scores 0.7, each further one 0.1 more; a quality gate
    ("relevant", "distinct", "each explained", "correctly") cuts it to about a third.
    """
    n = sum(1 for p in PROXIES for m in p.finditer(text) if not NEGATED.search(text[: m.start()]))
    if n == 0:
        return 0.0
    score = round(min(0.95, 0.7 + 0.1 * (n - 1)), 3)
    return round(score * 0.35, 3) if QUALITY_GATE.search(text) else score
