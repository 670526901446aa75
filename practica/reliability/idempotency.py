"""One-time submission keys: a creating write sent twice with the same key happens once.

Every form that creates something carries a random key in a hidden field
(`SubmissionKeyForm`); the API will pass the client's `Idempotency-Key` header instead
(`key_from_request` reads either). A service decorated with `@once_per_key(action)` takes
`submission_key=`: the first call with a key records key → result in `SubmissionKey`, in the
same transaction as the write; any later call with that key, sequential or in parallel,
returns the first result without writing again, so the view answers with the same
redirect. A write that fails rolls its key back with it, so the member can try again.

Parallel repeats meet at the unique constraint: on PostgreSQL the second insert waits for
the first transaction and then fails, after which the first result is visible; on SQLite
`BEGIN IMMEDIATE` makes the second transaction wait for the first to finish.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from practica.reliability.models import SubmissionKey

T = TypeVar("T")

FIELD_NAME = "submission_key"
HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 100
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]+$")


class SubmissionKeyReused(ValidationError):
    """The key was already used for a different kind of write."""


def new_key() -> str:
    return uuid.uuid4().hex


def key_from_request(request) -> str:
    """The key a request carries: the `Idempotency-Key` header (API) or the form field."""
    return (request.headers.get(HEADER) or request.POST.get(FIELD_NAME) or "").strip()


def _check_key(key: str) -> None:
    if len(key) > KEY_MAX_LENGTH or not _KEY_PATTERN.match(key):
        raise ValidationError(
            f"The submission key must be 1 to {KEY_MAX_LENGTH} visible ASCII characters."
        )


def _result_of(record: SubmissionKey, action: str):
    if record.action != action:
        raise SubmissionKeyReused(
            "This form was already sent for something else. Reload the page and try again."
        )
    if not record.result_model:
        return record.result_value
    model = apps.get_model(record.result_model)
    found = model._default_manager.filter(pk=record.result_id).first()
    if found is None:
        raise ValidationError(
            "This was already sent once, and what it made has since been removed."
        )
    return found


def _record(record: SubmissionKey, result) -> None:
    if isinstance(result, models.Model):
        record.result_model = result._meta.label_lower
        record.result_id = result.pk
    else:
        record.result_value = result
    record.save(update_fields=["result_model", "result_id", "result_value"])


def run_once(*, actor, key: str, action: str, write: Callable[[], T]) -> T:
    """Run `write()` once per (actor, key); a repeat returns the first run's result.

    `write` returns a saved model instance, None, or a small JSON value. Without a key, or
    for a visitor who is not signed in, `write()` simply runs. The API calls this with the
    `Idempotency-Key` header as `key`.
    """
    key = (key or "").strip()
    if not key or actor is None or not getattr(actor, "is_authenticated", False):
        return write()
    _check_key(key)
    with transaction.atomic():
        existing = SubmissionKey.objects.filter(user=actor, key=key).first()
        if existing is not None:
            return _result_of(existing, action)
        try:
            with transaction.atomic():
                record = SubmissionKey.objects.create(user=actor, key=key, action=action)
        except IntegrityError:
            # A parallel request with the same key committed first: its result is ours.
            return _result_of(SubmissionKey.objects.get(user=actor, key=key), action)
        result = write()
        _record(record, result)
    return result


def once_per_key(action: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Give a keyword-only service a `submission_key=` argument handled by `run_once`.

    `action` names the write ("conversations.reply"); it must stay stable across releases
    because stored keys refer to it.
    """

    def decorate(service: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(service)
        def wrapper(*, submission_key: str = "", **kwargs) -> T:
            return run_once(
                actor=kwargs.get("actor"),
                key=submission_key,
                action=action,
                write=lambda: service(**kwargs),
            )

        wrapper.submission_action = action
        return wrapper

    return decorate


class SubmissionKeyField(forms.CharField):
    """A hidden field holding a fresh random key for each form shown."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", KEY_MAX_LENGTH)
        kwargs.setdefault("initial", new_key)
        super().__init__(**kwargs)


class SubmissionKeyForm(forms.Form):
    """Mix into a form that creates something; pass `cleaned_data["submission_key"]` on
    to the service. Templates render it with `{{ form.submission_key }}`."""

    submission_key = SubmissionKeyField()
