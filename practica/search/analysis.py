"""Words into index terms for similar questions: one analyser for both databases.

The same Python code turns a thread's text and a typed question into terms, so SQLite and
PostgreSQL store and match exactly the same terms (their own stemmers differ). A term is a
lower-cased word without accents, with British spelling folded to American
(haemoglobin, hemoglobin → hemoglobin; catheterise → catheterize; tumour → tumor) and then
stemmed with Snowball English (Porter 2). Stop words are dropped before stemming.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from practica.search.text import STOP_WORDS

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A negation puts the few words after it out of the way ("no fever", "not eating"), up to
# the end of the clause.
NEGATIONS = frozenset(
    [
        "no",
        "not",
        "never",
        "without",
        "nor",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
    ]
)
NEGATION_REACH = 3
CLAUSE_END = re.compile(r"[.,;:!?()\n]| but | and ")
MAX_WORD = 40

# Spellings folded before stemming: (British part, American part), tried in order.
_INNER = [
    ("haem", "hem"),
    ("aemi", "emi"),  # anaemia, hypoglycaemia, ischaemia, leukaemia, septicaemia
    ("paed", "ped"),
    ("anaes", "anes"),
    ("faec", "fec"),
    ("gynaec", "gynec"),
    ("caesar", "cesar"),
    ("hoea", "hea"),  # diarrhoea, gonorrhoea
    ("foet", "fet"),
    ("coeliac", "celiac"),
    ("manoeuv", "maneuv"),
    ("oeopath", "eopath"),
    ("sulph", "sulf"),
]
_START = [("oe", "e"), ("aetio", "etio")]  # oedema, oesophagus, oestrogen; aetiology
_WHOLE = {
    "programme": "program",
    "programmes": "programs",
    "grey": "gray",
    "mould": "mold",
    "tyre": "tire",
    "cheque": "check",
    "centre": "center",
    "centres": "centers",
    "litre": "liter",
    "litres": "liters",
    "millilitre": "milliliter",
    "millilitres": "milliliters",
    "metre": "meter",
    "fibre": "fiber",
    "calibre": "caliber",
    "titre": "titer",
    "titres": "titers",
    "mum": "mom",
    "mums": "moms",
    "nappy": "diaper",
    "nappies": "diapers",
}
_ISE = re.compile(r"(\w{3,})is(e|ed|es|ing|ation|ations|er|ers)$")
_YSE = re.compile(r"(\w{2,})ys(e|ed|es|ing)$")
_OUR = re.compile(r"(\w{2,})our(s|ed|ing|ite|ites|able|er|ers)?$")
_LLED = re.compile(r"(\w{2,}[aeiou])ll(ed|ing|er|ers)$")

_stemmer = Stemmer.Stemmer("english")


def fold(word: str) -> str:
    """British spelling of `word` (lower case) as American; other words unchanged."""
    if word in _WHOLE:
        return _WHOLE[word]
    for british, american in _START:
        if word.startswith(british) and len(word) > len(british) + 2:
            word = american + word[len(british) :]
            break
    for british, american in _INNER:
        if british in word:
            word = word.replace(british, american)
    word = _ISE.sub(r"\1iz\2", word)
    word = _YSE.sub(r"\1yz\2", word)
    word = _OUR.sub(r"\1or\2", word) if len(word) >= 5 else word
    return _LLED.sub(r"\1l\2", word)


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The index term of one lower-cased word ('' for a stop word)."""
    word = word.replace("'", "")
    if len(word) < 2 or word in STOP_WORDS or len(word) > MAX_WORD:
        return ""
    return _stemmer.stemWord(fold(word))


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


def terms(text: str) -> list[str]:
    """Every term of `text`, in order, repeats kept (what the index counts)."""
    return [t for t in map(term, WORD.findall(_plain(text))) if t]


@dataclass(frozen=True)
class QueryWord:
    term: str
    position: int  # among the kept words of its text
    negated: bool


def query_words(text: str) -> list[QueryWord]:
    """The terms of a typed text with their positions, marking negated ones."""
    found: list[QueryWord] = []
    position = 0
    for clause in CLAUSE_END.split(_plain(text)[:5000]):
        reach = 0
        for word in WORD.findall(clause):
            bare = word.replace("'", "")
            if bare in NEGATIONS:
                reach = NEGATION_REACH
                continue
            indexed = term(word)
            if not indexed:
                continue
            found.append(QueryWord(indexed, position, reach > 0))
            position += 1
            reach = max(0, reach - 1)
    return found


def phrase_terms(phrase: str) -> tuple[str, ...]:
    """A vocabulary phrase as the tuple of terms it indexes as (stop words gone)."""
    return tuple(terms(phrase))
