"""The words of a product search: one rule used by the catalog's stored search document
(``shop.services.search``), its migration, and the search reads (``shop.selectors.search``).
Pure: no database, no settings.

- ``words(text)``: lower-case word tokens of a text, each reduced to its singular by
  ``stem`` (totes -> tote, boxes -> box, berries -> berry; a word of three letters or fewer,
  words ending in "ss", "us" or "is", and a few such as "canvas" are kept as they are; the
  same rule reads the catalogue and the query, so a word it gets wrong still matches itself).
- ``document(name, extra, description)``: the stored words of one product with their weight,
  ``" a:market a:tote b:indigo b:bag c:canvas "`` (A: the name; B: variant names, colours and
  the category; C: the description). The embedded SQLite default matches a search word with
  ``":word "`` in it and ranks by the weights; PostgreSQL uses its own full-text search.
- ``near(word, vocabulary)``: the catalogue's words one edit away (an insertion, deletion,
  substitution or swap of neighbours), for typos: "scarff" -> "scarf", "cushon" -> "cushion".
- ``read_query(text)``: a shopper's query split into its search words and price words:
  "blue scarf under $40" is the words ("blue", "scarf") and a price of at most 40.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

WEIGHTS = {"a": 4, "b": 2, "c": 1}  # name, variants/colours/category, description
# English stop words (PostgreSQL's "english" configuration drops these too, so a query
# never asks for a word no document can hold), and "set" ("a set of napkins").
STOPWORDS = frozenset("""
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is
    are was were be been being have has had having do does did doing a an the and but if or because as until
    while of at by for with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just don should now
    set without
""".split())
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_KEEP = ("ss", "us", "is")
_IRREGULAR = {"scarves": "scarf", "knives": "knife", "leaves": "leaf", "shelves": "shelf", "halves": "half",
              "loaves": "loaf", "wolves": "wolf", "children": "child", "women": "woman", "men": "man", "mice": "mouse"}
_UNCHANGED = frozenset("canvas atlas gas lens series species news christmas bias alias".split())


def stem(word: str) -> str:
    """The singular of an English plural, simply (see the module)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word.endswith(_KEEP) or not word.endswith("s") or word in _UNCHANGED:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    return word[:-1]


def tokens(text: str) -> list[str]:
    """The lower-case words of a text, apostrophes dropped ("women's" -> "womens")."""
    return [token.replace("'", "") for token in _WORD.findall(text.casefold())]


def words(text: str) -> list[str]:
    return [stem(token) for token in tokens(text)]


def document(name: str, extra: str, description: str) -> str:
    """A product's stored search words with their weights (see the module)."""
    parts = []
    for weight, text in (("a", name), ("b", extra), ("c", description)):
        seen = set()
        for word in words(text):
            if word not in seen:
                seen.add(word)
                parts.append(f"{weight}:{word}")
    return f" {' '.join(parts)} " if parts else ""


def document_words(stored: str) -> set[str]:
    """The words of a stored document, without their weights."""
    return {part.split(":", 1)[1] for part in stored.split() if ":" in part}


def extra_text(variant_options: list[dict], category_name: str) -> str:
    """Weight B's text: every variant option's value (colours, sizes, names) and the category."""
    values = [str(value) for options in variant_options if isinstance(options, dict) for value in options.values()]
    return " ".join([*values, category_name])


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


MIN_TYPO_LENGTH = 4  # shorter words are too often one edit from another real word


def near(word: str, vocabulary: frozenset[str] | set[str]) -> list[str]:
    """The vocabulary's words one edit from ``word`` (none for a word in it or a short word),
    closest first: same first letter, then alphabetical."""
    if word in vocabulary or len(word) < MIN_TYPO_LENGTH:
        return []
    found = {w for w in vocabulary if abs(len(w) - len(word)) <= 1 and len(w) >= MIN_TYPO_LENGTH - 1
             and one_edit_apart(word, w)}
    return sorted(found, key=lambda w: (w[0] != word[0], w))


def respell(text: str, corrections: dict[str, str]) -> str:
    """The text with each word whose stem has a correction replaced by it ("blue scarff under
    $40" -> "blue scarf under $40"), the rest as typed."""
    def replace(found: re.Match) -> str:
        token = found.group(0)
        return corrections.get(stem(token.casefold().replace("'", "")), token)
    return _WORD.sub(replace, text)


@dataclass(frozen=True)
class Query:
    """A shopper's query read: its search words (singular, no stop words) and the price words."""

    words: tuple[str, ...]
    price_min: Decimal | None = None
    price_max: Decimal | None = None


_AMOUNT = r"\$?\s*(\d{1,6}(?:\.\d{1,2})?)\s*(?:dollars?|usd|\$)?"
_PRICE_WORDS = [
    (re.compile(rf"\b(?:between|from)\s+{_AMOUNT}\s*(?:and|to|-)\s*{_AMOUNT}", re.I), "between"),
    (re.compile(rf"(?<![\w.]){_AMOUNT}\s*(?:-|to)\s*{_AMOUNT}(?![\w.])", re.I), "between"),
    (re.compile(rf"\b(?:under|below|less\s+than|cheaper\s+than|up\s+to|at\s+most|max|<=?)\s*{_AMOUNT}", re.I), "max"),
    (re.compile(rf"\b(?:over|above|more\s+than|at\s+least|min|>=?)\s*{_AMOUNT}", re.I), "min"),
    (re.compile(rf"(?:<=?)\s*{_AMOUNT}", re.I), "max"),
    (re.compile(rf"(?:>=?)\s*{_AMOUNT}", re.I), "min"),
]


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        return None


def read_query(text: str) -> Query:
    """Split the price words out of a query ("under $40", "over 100", "$20-$40", "between 20
    and 40"); the rest is its search words."""
    price_min = price_max = None
    rest = text
    for pattern, kind in _PRICE_WORDS:
        match = pattern.search(rest)
        if not match:
            continue
        if kind == "between":
            low, high = sorted((_amount(match.group(1)), _amount(match.group(2))))
            price_min = low if price_min is None else max(price_min, low)
            price_max = high if price_max is None else min(price_max, high)
        elif kind == "max":
            value = _amount(match.group(1))
            price_max = value if price_max is None else min(price_max, value)
        else:
            value = _amount(match.group(1))
            price_min = value if price_min is None else max(price_min, value)
        rest = rest[:match.start()] + " " + rest[match.end():]
    found = tuple(dict.fromkeys(stem(t) for t in tokens(rest) if t not in STOPWORDS))
    return Query(found, price_min, price_max)
