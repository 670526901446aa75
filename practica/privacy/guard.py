"""The patient-data guard: one check that every write of member-written text calls.

A service screens the text before its transaction (so a warning or a block is logged even
though nothing is saved), then, once saved, records what the author confirmed:

    screening = screen(actor=actor, community=community, where="article comment",
                       texts={"body": body}, confirmed=confirm_guard)
    with transaction.atomic():
        comment = ArticleComment.objects.create(...)
        screening.record(comment)

The community chooses whether a finding warns (the author may confirm and save) or blocks.
The log keeps who, where, what kind of thing was found and what happened: never the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.safestring import SafeString

from practica.privacy import detector
from practica.privacy.detector import Finding

# Text written outside any community (a profile bio) is warned about, never blocked: there
# is no steward whose choice it would be.
MODE_OUTSIDE_COMMUNITIES = "warn"


def mode_for(community) -> str:
    """ "warn" or "block": what the guard does with text written in `community`."""
    return community.guard_mode if community is not None else MODE_OUTSIDE_COMMUNITIES


def _labels(findings) -> list[str]:
    return sorted({f.label for f in findings})


class PatientDataFound(ValidationError):
    """The guard found likely patient-identifiable text; the author must confirm or edit.

    A ValidationError keyed by the fields where something was found (a short message beside
    each) plus one sentence for the whole form, so any view that shows a service's
    validation errors shows this too. `excerpts()` gives the highlighted texts.
    """

    def __init__(self, found: Mapping[str, list[Finding]], texts: Mapping[str, str], *, blocked):
        self.found = dict(found)
        self.texts = dict(texts)
        self.blocked = blocked
        self.findings = [f for findings in self.found.values() for f in findings]
        self.labels = _labels(self.findings)
        what = ", ".join(self.labels)
        if blocked:
            self.message = (
                f"This looks like it contains patient-identifiable information ({what}). "
                "This community does not allow saving it: please remove it and try again."
            )
        else:
            self.message = (
                f"This looks like it may contain patient-identifiable information ({what}). "
                "Check the highlighted text: edit it out, or confirm that it is not about a "
                "patient."
            )
        errors: dict[str, list[str]] = {NON_FIELD_ERRORS: [self.message]}
        for name, findings in self.found.items():
            if name != NON_FIELD_ERRORS:
                errors[name] = [f"This looks like {', '.join(_labels(findings))}."]
        super().__init__(errors)
        self.code, self.params = "patient_data", None  # read by ValidationError's __hash__

    def excerpts(self) -> list[tuple[str, SafeString]]:
        """(field name, the field's text escaped with each finding marked), in form order."""
        return [
            (name, detector.highlight(self.texts[name], findings))
            for name, findings in self.found.items()
        ]


@dataclass
class Screening:
    """What `screen` let through: findings the author confirmed, to be recorded once saved."""

    actor: object
    community: object
    where: str
    findings: list[Finding] = field(default_factory=list)

    def record(self, target=None) -> None:
        """Log the confirmed findings against the saved object (inside the write's transaction)."""
        if self.findings:
            _log(self, decision="confirmed", target=target)


def screen(
    *,
    actor,
    community,
    where: str,
    texts: Mapping[str, str] | str,
    confirmed: bool = False,
) -> Screening:
    """Scan each text; log and raise PatientDataFound unless the author confirmed a warning.

    `texts` maps form field names to what the member wrote there (a plain string counts as
    the whole form's). Call it before the write's transaction: the warning or block must be
    logged although the write does not happen. `where` names the kind of text for stewards.
    """
    if isinstance(texts, str):
        texts = {NON_FIELD_ERRORS: texts}
    found = {}
    for name, text in texts.items():
        findings = detector.scan(text or "")
        if findings:
            found[name] = findings
    screening = Screening(actor=actor, community=community, where=where)
    if not found:
        return screening
    screening.findings = [f for findings in found.values() for f in findings]
    blocked = mode_for(community) == "block"
    if blocked or not confirmed:
        error = PatientDataFound(found, texts, blocked=blocked)
        error.pending_log = _log(screening, decision="blocked" if blocked else "warned", save=False)
        if not _in_a_write_transaction():
            keep_log(error)
        raise error
    return screening


def _in_a_write_transaction() -> bool:
    """Whether application code has opened a transaction that a raise will roll back.

    Blocks a test case opens around each test don't count: the same test Django's own
    `atomic(durable=True)` makes.
    """
    blocks = transaction.get_connection().atomic_blocks
    return any(not block._from_testcase for block in blocks)


def keep_log(error: PatientDataFound) -> None:
    """Save the warning's or block's log entry, once the write's transaction is gone.

    `screen` saves it at once when it runs outside any transaction. A service that runs
    inside one (a submission key's, say) would roll the entry back with the write, so
    whoever catches the error after that transaction ends calls this; the guard's form
    helpers do. Calling it twice saves it once.
    """
    entry = getattr(error, "pending_log", None)
    if entry is not None and entry.pk is None:
        entry.save()


def changed_texts(obj, texts: Mapping[str, str]) -> dict[str, str]:
    """The texts that differ from what `obj` holds now (None: all of them, it is new).

    An edit screens only what it changes, so a text the author confirmed once is not
    questioned again each time another field is saved.
    """
    if obj is None or obj.pk is None:
        return dict(texts)
    return {name: text for name, text in texts.items() if (getattr(obj, name, "") or "") != text}


def _log(screening: Screening, *, decision: str, target=None, save: bool = True):
    from practica.privacy.models import GuardLog

    actor = screening.actor
    entry = GuardLog(
        community=screening.community,
        user=actor if getattr(actor, "is_authenticated", False) else None,
        where=screening.where[:60],
        decision=decision,
        kinds=sorted({f.kind for f in screening.findings}),
        target=target,
    )
    if save:
        entry.save()
    return entry


def set_guard_mode(*, actor, community, mode: str) -> None:
    """A steward's choice: warn (the author may confirm) or block."""
    from practica.communities.capabilities import Capability, require
    from practica.communities.models import GuardMode

    require(actor, Capability.CONFIGURE, community=community)
    if mode not in GuardMode.values:
        raise ValidationError({"guard_mode": "Choose warn or block."})
    with transaction.atomic():
        community.guard_mode = mode
        community.save(update_fields=["guard_mode"])
