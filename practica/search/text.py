"""Turning what a member typed into safe full-text query terms."""

from __future__ import annotations

import re

# A compact English stop-word list (the union of the usual NLTK and PostgreSQL lists),
# plus words every clinical question contains and which therefore carry no signal.
_STOP_TEXT = """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's
    i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
    myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's which while who who's whom why why's will
    with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
    also just get got anyone anybody someone does really thanks thank please would like know
    use using used way ways one two new best good
"""
# Terms lose their apostrophes before this check ("don't" becomes "dont"), so the list does too.
STOP_WORDS = frozenset(_STOP_TEXT.replace("'", "").split())

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
MAX_TERMS = 24


def query_terms(*texts: str, max_terms: int = MAX_TERMS) -> list[str]:
    """Distinct, lower-cased, non-stop-word terms from `texts`, earlier texts first.

    Every term is letters and digits only, so no query syntax can survive into it.
    """
    seen: list[str] = []
    for text in texts:
        for match in WORD.finditer((text or "")[:5000].lower()):
            word = match.group(0).replace("'", "")
            if len(word) < 2 or word in STOP_WORDS or word in seen:
                continue
            seen.append(word)
            if len(seen) >= max_terms:
                return seen
    return seen
