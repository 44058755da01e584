"""What a search query is, and how well a document answers it.

Exact matches rank first (the name, email or phone is the query), then prefixes (the name or
email starts with it), then documents holding every word, then documents whose words are
within a few typos of the query's (optimal string alignment distance: one typo for a word of
4 to 7 letters, two from 8). Within a tier, fewer typos first, then the newest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from opensales.db import Row
from opensales.kit.search_index import digits

# Words shorter than a trigram cannot be looked up in the index: they only narrow.
MIN_WORD = 3
_PHONE = re.compile(r"[\d\s+().\-/]+")
EXACT, PREFIX, ALL_WORDS, FUZZY = 3, 2, 1, 0


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # lower case, single spaces
    words: tuple[str, ...]
    phone: str | None  # the digits, when the query is a phone number

    @property
    def indexed_words(self) -> tuple[str, ...]:
        return tuple(w for w in self.words if len(w) >= MIN_WORD)

    @property
    def fuzzy(self) -> bool:
        """Typos are forgiven in words, not in phone numbers."""
        return self.phone is None


def parse(raw: str) -> Query:
    text = " ".join(raw.lower().split())
    number = digits(text)
    if _PHONE.fullmatch(text) and len(number) >= MIN_WORD:
        return Query(text, (number,), number)
    return Query(text, tuple(text.split()), None)


def trigrams(word: str) -> list[str]:
    """A word's trigrams, padded as document text is: " jonh " gives " jo", "jon", "onh",
    "nh "; the first letters match any word they begin, whatever the typo after them."""
    padded = f" {word} "
    return list(dict.fromkeys(padded[i : i + 3] for i in range(len(padded) - 2)))


def allowed_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one typo); anything over
    `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)


def _pair_typos(word: str, other: str, limit: int) -> int:
    if other.startswith(word):
        return 0
    # Each typo accounts for at most one of the word's letters missing from the other.
    if sum(c not in other for c in word) > limit:
        return limit + 1
    return min(distance(word, other, limit), distance(word, other[: len(word)], limit))


def _typos(word: str, words: Sequence[str], seen: dict[tuple[str, str], int]) -> int | None:
    """The fewest typos that turn `word` into one of `words` or into a word's beginning
    (`seen` remembers pairs already measured: documents share many words)."""
    limit = allowed_typos(word)
    best = limit + 1
    for other in words:
        found = seen.get((word, other))
        if found is None:
            found = seen[word, other] = _pair_typos(word, other, limit)
        best = min(best, found)
    return best if best <= limit else None


def score(query: Query, doc: Row, seen: dict[tuple[str, str], int]) -> tuple[int, int] | None:
    """(tier, typos) of a document, or None when it does not answer the query. Typos are
    forgiven in the names a document shows (its name and company), not in its other text."""
    name, email, text = (doc["name"] or "").lower(), (doc["email"] or "").lower(), doc["text"]
    if query.text in (name, email) or (query.phone is not None and f" {query.phone} " in text):
        return EXACT, 0
    if name.startswith(query.text) or (email and email.startswith(query.text)):
        return PREFIX, 0
    if all(w in text for w in query.words):
        return ALL_WORDS, 0
    if not query.fuzzy:
        return None
    typos = 0
    words = f"{name} {doc['company'] or ''}".lower().split()
    for word in query.words:
        found = _typos(word, words, seen)
        if found is None:
            return None
        typos += found
    return FUZZY, typos


def ranked(query: Query, docs: Iterable[Row]) -> list[tuple[tuple[int, int], Row]]:
    """The documents that answer the query, best first (the newest first among equals)."""
    scored = []
    seen: dict[tuple[str, str], int] = {}
    for doc in docs:
        found = score(query, doc, seen)
        if found is not None:
            scored.append((found, doc))
    scored.sort(key=lambda pair: _time(pair[1]["updated_at"]), reverse=True)
    scored.sort(key=lambda pair: (-pair[0][0], pair[0][1]))
    return scored


def _time(value: Any) -> str:
    # Text on SQLite, datetimes on PostgreSQL: their ISO forms sort alike.
    return value if isinstance(value, str) else value.isoformat()
