"""Counting and articles in English, for every sentence Practica builds from data.

One place so that no page says "1 replies" or "a allied health / therapist": templates
use the `counted` and `with_article` filters (built in, see `practica.templatetags.words`),
Python code calls the functions.
"""

from __future__ import annotations

import re

# Words spelt with a vowel letter that sound like a consonant ("a user"), and silent-h
# words ("an hour").
_CONSONANT_SOUND = re.compile(r"^(?:uni|use|usu|ure|uro|eu|one\b|once\b|ubiq)", re.IGNORECASE)
_VOWEL_SOUND = re.compile(r"^(?:hour|honest|honou?r|heir)", re.IGNORECASE)
# Initialisms read letter by letter: "an MRI", "an NHS trust", "a GP".
_INITIALISM = re.compile(r"^[A-Z]{2,}\b")


def plural(count: int, forms: str) -> str:
    """The word for `count` things: forms is "reply,replies" or just "article" (adds s)."""
    singular, _, many = forms.partition(",")
    if not many:
        many = f"{singular}s"
    return singular if count == 1 else many


def counted(count: int | None, forms: str) -> str:
    """ "1 reply", "3 replies", "0 replies"; thousands get separators ("1,204 members")."""
    count = int(count or 0)
    return f"{count:,} {plural(count, forms)}"


def article(phrase: str) -> str:
    """ "a" or "an" for the phrase that follows it."""
    text = (phrase or "").strip()
    if not text:
        return "a"
    if _INITIALISM.match(text):
        return "an" if text[0] in "AEFHILMNORSX" else "a"
    if _VOWEL_SOUND.match(text):
        return "an"
    if _CONSONANT_SOUND.match(text):
        return "a"
    return "an" if text[0].lower() in "aeiou" else "a"


def with_article(phrase: str) -> str:
    """ "an allied health / therapist", "a nurse", "an hour", "a user"."""
    return f"{article(phrase)} {phrase}"
