"""The search box and the advanced search form: one form, read from the query string."""

from __future__ import annotations

from django import forms

from practica.people.models import Profession
from practica.search.models import SearchEntry
from practica.widgets import DateInput

MAX_FIELD_CHARS = 10_000  # longer input is cut, never refused: a pasted essay still searches


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, strip=True)
    all_words = forms.CharField(label="All these words", required=False)
    exact_phrase = forms.CharField(label="This exact phrase", required=False)
    any_words = forms.CharField(label="Any of these words", required=False)
    none_words = forms.CharField(label="None of these words", required=False)
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Everything"), *SearchEntry.Kind.choices]
    )
    community = forms.ChoiceField(label="Community", required=False)
    topic = forms.SlugField(label="Topic", required=False, help_text="A topic's short name.")
    author = forms.CharField(label="Author", required=False, help_text="Their username.")
    profession = forms.ChoiceField(
        label="Author's profession", required=False, choices=[("", "Any"), *Profession.choices]
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    ADVANCED = ["all_words", "exact_phrase", "any_words", "none_words", "type", "community",
                "topic", "author", "profession", "date_from", "date_to"]  # fmt: skip

    def __init__(self, data=None, *, communities=(), **kwargs):
        if data is not None:
            data = data.copy()
            for name in ["q", "all_words", "exact_phrase", "any_words", "none_words", "author"]:
                if name in data:
                    # NUL cannot be stored or searched; leave it out rather than refuse.
                    data[name] = data[name][:MAX_FIELD_CHARS].replace("\x00", "")
        super().__init__(data, **kwargs)
        self.fields["community"].choices = [("", "All communities")] + [
            (c.slug, c.name) for c in communities
        ]

    @property
    def uses_advanced(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.ADVANCED)
