"""Template filters for counts and articles; built into every template (see settings)."""

from django import template

from practica import words

register = template.Library()


@register.filter
def counted(count, forms: str = "") -> str:
    """{{ thread.reply_count|counted:"reply,replies" }} → "1 reply", "3 replies"."""
    return words.counted(count, forms)


@register.filter
def plural_of(count, forms: str = "") -> str:
    """{{ n|plural_of:"answer" }} → "answer" or "answers", for a count shown apart."""
    return words.plural(int(count or 0), forms)


@register.filter
def with_article(phrase) -> str:
    """{{ profession|with_article }} → "an allied health / therapist"."""
    return words.with_article(str(phrase))
