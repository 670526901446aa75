"""The search box and the advanced search form: one form, read from the query string."""

from __future__ import annotations

from django import forms

from practica.people.models import Profession
from practica.search.models import SearchEntry
from practica.search.query import MAX_QUERY_CHARS, cut_on_word
from practica.widgets import DateInput

TEXT_FIELDS = ["q", "all_words", "exact_phrase", "any_words", "none_words", "author"]


def _text(label: str, **kwargs) -> forms.CharField:
    # The box and the server agree on the limit; longer input (a URL typed or pasted
    # by hand) is cut at a word boundary, never refused: a pasted essay still searches.
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_QUERY_CHARS}),
        **kwargs,
    )


class SearchForm(forms.Form):
    q = _text("Search")
    all_words = _text("All these words")
    exact_phrase = _text("This exact phrase")
    any_words = _text("Any of these words")
    none_words = _text("None of these words")
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Everything"), *SearchEntry.Kind.choices]
    )
    community = forms.ChoiceField(label="Community", required=False)
    # A slug field shown as a picker: an unknown slug in a URL finds nothing, not an error.
    topic = forms.SlugField(label="Topic", required=False, widget=forms.Select)
    author = _text(
        "Author",
        help_text="Start typing a name; a username or email address works too.",
    )
    profession = forms.ChoiceField(
        label="Author's profession", required=False, choices=[("", "Any"), *Profession.choices]
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    ADVANCED = ["all_words", "exact_phrase", "any_words", "none_words", "type", "community",
                "topic", "author", "profession", "date_from", "date_to"]  # fmt: skip

    def __init__(self, data=None, *, communities=(), topics=(), **kwargs):
        self.was_cut = False
        if data is not None:
            data = data.copy()
            for name in TEXT_FIELDS:
                if name in data:
                    # NUL cannot be stored or searched; leave it out rather than refuse.
                    value = data[name].replace("\x00", "")
                    cut = cut_on_word(value)
                    self.was_cut |= cut != value.rstrip()
                    data[name] = cut
        super().__init__(data, **kwargs)
        self.fields["community"].choices = [("", "All communities")] + [
            (c.slug, c.name) for c in communities
        ]
        self.fields["topic"].widget.choices = [("", "Any topic"), *topics]
        self.fields["author"].widget.attrs.update(
            {"list": "author-suggestions", "autocomplete": "off"}
        )

    @property
    def uses_advanced(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.ADVANCED)
