"""A member's own data: download everything about them, or delete their account.

What counts as a member's is worked out from the models, not listed by hand: every row
whose foreign key to the member says it is theirs (author, user, recipient, proposer...),
and the rows that hang from those (a membership's stage changes, a module's reflections).
Keys that record someone acting on another's row (who hid a post, who approved a
revision, who resolved a flag) are not ownership and are left out, so the download holds
nothing private to other members.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import zipfile
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

# A user key with one of these names records an act on someone else's row.
ACTING_KEYS = frozenset(
    {
        "accepted_by", "added_by", "approved_by", "assigned_by", "changed_by", "decided_by",
        "handled_by", "hidden_by", "invited_by", "last_reviewed_by", "published_by",
        "recorded_by", "resolved_by", "reviewer", "revoked_by",
    }
)  # fmt: skip
# (model, key) pairs that look like ownership but are not: a notification's actor is
# someone who did something that another member was told about.
NOT_OWNERSHIP = frozenset(
    {
        ("notifications.Notification", "actor"),
        # A staff member who made a service token, or a steward who registered a
        # community's webhook, does not own it: it stays when they leave.
        ("api.AccessToken", "created_by"),
        ("api.Webhook", "created_by"),
        # A steward who chose a story for the sponsor's report does not own the story.
        ("insights.ValueStory", "chosen_by"),
    }
)
# Models that are machinery, copies of what is exported elsewhere, or other people's.
SKIPPED_MODELS = frozenset(
    {"admin.LogEntry", "search.SearchEntry", "reliability.SubmissionKey", "sessions.Session"}
)
# Rows that hang from a member's own rows: (model, key to the parent model).
CHILDREN = (
    ("communities.StageChange", "membership"),
    ("communities.PromotionRequest", "membership"),
    ("learning.Reflection", "progress"),
)
# Secrets never written into a download.
SECRET_FIELDS = frozenset(
    {
        ("people.User", "password"),
        ("events.CalendarFeed", "token"),
        ("badges.Assertion", "salt"),
        ("account.EmailConfirmation", "key"),
        ("api.AccessToken", "digest"),
        ("api.Webhook", "secret"),
    }
)
DELETE_PHRASE = "delete my account"
FORMER_MEMBER = "A former member"


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def owned_keys() -> list[tuple[type[models.Model], list[str]]]:
    """Each model with the names of its keys that make a row the member's."""
    user_model = _user_model()
    found = []
    for model in apps.get_models():
        label = model._meta.label
        if label in SKIPPED_MODELS or model is user_model:
            continue
        keys = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey)
            and f.related_model is user_model
            and f.name not in ACTING_KEYS
            and (label, f.name) not in NOT_OWNERSHIP
        ]
        if keys:
            found.append((model, keys))
    return found


def _owned(model, keys, user) -> models.QuerySet:
    q = Q()
    for key in keys:
        q |= Q(**{key: user})
    return model._default_manager.filter(q)


def _row(obj) -> dict:
    label = obj._meta.label
    fields = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or (label, f.name) in SECRET_FIELDS:
            continue
        value = f.value_from_object(obj)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        fields[f.attname if f.is_relation else f.name] = value
    return {"id": obj.pk, **fields}


# --- download --------------------------------------------------------------------------

README = """Your data from Practica, {when}.

profile.json    your account and profile (never your password)
data/*.json     every row stored about you or written by you, one file per kind
                (posts, revisions, comments, RSVPs, notifications...), each a list of
                objects with their stored fields; ids link rows to one another
files/          the files you uploaded

Text others wrote (replies to you, decisions you took part in) is theirs and is not here.
"""


def _write_json_list(archive: zipfile.ZipFile, name: str, rows) -> int:
    """Stream `rows` into the archive as a JSON list, one row at a time; how many."""
    count = 0
    with archive.open(_entry(name), "w", force_zip64=True) as out:
        out.write(b"[")
        for obj in rows:
            out.write((b",\n" if count else b"\n") + _dump(_row(obj)))
            count += 1
        out.write(b"\n]\n")
    return count


def _entry(name: str) -> zipfile.ZipInfo:
    """A compressed archive entry dated now (a streamed one would say 1980)."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _dump(value) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def build_export(user, *, chunk: int = 500):
    """A ZIP of everything stored about `user`, in a temporary file (deleted when closed).

    Built row by row from database iterators and written to disk as it goes, so a big
    account takes time, never memory. Returns the open file, at its start.
    """
    spool = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 - the response closes it
    counts = {}
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.writestr("README.txt", README.format(when=timezone.now().isoformat()))
        profile = _row(user)
        profile["expertise"] = list(user.expertise.values_list("name", flat=True))
        zf.writestr("profile.json", _dump(profile))
        parents: dict[str, list[int]] = {}
        for model, keys in owned_keys():
            label = model._meta.label
            rows = _owned(model, keys, user).order_by("pk")
            ids = list(rows.values_list("pk", flat=True)) if label in _parent_labels() else None
            if ids is not None:
                parents[label] = ids
            if rows.exists():
                counts[label] = _write_json_list(zf, f"data/{label}.json", rows.iterator(chunk))
        for label, key in CHILDREN:
            model = apps.get_model(label)
            parent = model._meta.get_field(key).related_model._meta.label
            rows = model._default_manager.filter(**{f"{key}__in": parents.get(parent, [])})
            if rows.exists():
                counts[label] = _write_json_list(
                    zf, f"data/{label}.json", rows.order_by("pk").iterator(chunk)
                )
        for version in _uploaded_files(user):
            name = f"files/{version.pk}-{version.original_name or 'file'}"
            try:
                with (
                    version.file.open("rb") as source,
                    zf.open(_entry(name), "w", force_zip64=True) as out,
                ):
                    while block := source.read(1 << 20):
                        out.write(block)
            except FileNotFoundError:
                zf.writestr(f"{name}.missing.txt", "This file is no longer in storage.\n")
        zf.writestr("counts.json", _dump(counts))
    spool.seek(0)
    return spool


def _parent_labels() -> set[str]:
    return {
        apps.get_model(label)._meta.get_field(key).related_model._meta.label
        for label, key in CHILDREN
    }


def _uploaded_files(user):
    if not apps.is_installed("practica.library"):
        return []
    version_model = apps.get_model("library.ResourceVersion")
    return version_model.objects.filter(uploaded_by=user).exclude(file="").iterator(100)


# --- deletion --------------------------------------------------------------------------


class Mode:
    ANONYMISE = "anonymise"
    DELETE = "delete"
    CHOICES = (ANONYMISE, DELETE)


@dataclass
class Deleted:
    mode: str
    posts_removed: int = 0
    rows_deleted: int = 0


def check_confirmation(user, *, password: str = "", phrase: str = "") -> None:
    """The confirmation step: the member's password, or the phrase when they have none."""
    if user.has_usable_password():
        if not password or not user.check_password(password):
            raise ValidationError({"password": "That is not your password."})
    elif " ".join((phrase or "").lower().split()) != DELETE_PHRASE:
        raise ValidationError({"phrase": f"Type “{DELETE_PHRASE}” to confirm."})


def delete_account(*, user, mode: str, password: str = "", phrase: str = "") -> Deleted:
    """Remove `user`'s profile; delete or anonymise what they wrote; all in one transaction.

    Afterwards the account row stays only as "A former member" (no email, no name, no
    login), so what is kept still hangs together: conversations keep their shape and the
    library its history. With DELETE their posts lose their text (a thread with others'
    replies keeps its title), and their comments, staging comments, reflections, module
    feedback, appraisals and proposed edits go. Shared practice they wrote (articles and
    their revisions, glossary, resources, evidence, proposals, events, modules, bulletin
    articles) stays, anonymised, in both modes: it is the community's memory.
    """
    if mode not in Mode.CHOICES:
        raise ValidationError({"mode": "Choose what happens to what you wrote."})
    check_confirmation(user, password=password, phrase=phrase)
    name = user.name
    result = Deleted(mode=mode)
    with transaction.atomic():
        threads = set()
        if mode == Mode.DELETE:
            result.posts_removed, threads = _delete_writing(user, result)
        _forget_name(user, name)
        result.rows_deleted += _delete_personal_rows(user)
        _scrub(user)
        _reindex(user, threads)
        from practica.privacy.redaction import after_commit_forget

        # Their profile page may be cached for visitors, their name in the full-text index.
        transaction.on_commit(after_commit_forget)
    return result


def _delete_writing(user, result: Deleted) -> tuple[int, set[int]]:
    from practica.conversations.models import Post, PostRevision, StagingComment, Thread

    now = timezone.now()
    posts = Post.objects.filter(author=user)
    threads = set(posts.values_list("thread_id", flat=True))
    PostRevision.objects.filter(post__in=posts).delete()
    removed = posts.update(body="", body_html="", deleted_at=now)
    # A thread they started with nobody else's replies goes with its opening post.
    alone = Thread.objects.filter(author=user).exclude(
        pk__in=Post.objects.filter(is_opening=False, deleted_at__isnull=True)
        .exclude(author=user)
        .values("thread_id")
    )
    threads |= set(alone.values_list("pk", flat=True))
    alone.update(deleted_at=now, title="Deleted thread")
    result.rows_deleted += StagingComment.objects.filter(author=user).delete()[0]
    for label, key in (
        ("library.ArticleComment", "author"),
        ("library.ProposedEdit", "proposer"),
        ("learning.Feedback", "author"),
        ("evidence.Appraisal", "appraiser"),
        ("evidence.ProposedSummaryEdit", "proposer"),
    ):
        if apps.is_installed(f"practica.{label.split('.')[0]}"):
            model = apps.get_model(label)
            result.rows_deleted += model._default_manager.filter(**{key: user}).delete()[0]
    return removed, threads


def _forget_name(user, name: str) -> None:
    """Take the member's name out of what others were told and of redaction markers."""
    from practica.notifications.models import EmailDelivery, Notification
    from practica.privacy.models import Redaction, marker

    if name:
        told = Notification.objects.filter(actor=user)
        for note in told.filter(text__contains=name).only("pk", "text"):
            Notification.objects.filter(pk=note.pk).update(
                text=note.text.replace(name, FORMER_MEMBER)
            )
        for email in EmailDelivery.objects.filter(notification__in=told).only(
            "pk", "subject", "text_body", "html_body"
        ):
            EmailDelivery.objects.filter(pk=email.pk).update(
                subject=email.subject.replace(name, FORMER_MEMBER),
                text_body=email.text_body.replace(name, FORMER_MEMBER),
                html_body=email.html_body.replace(name, FORMER_MEMBER),
            )
    from practica.privacy import redaction

    for record in Redaction.objects.filter(actor=user):
        redaction.rename_marker(
            record,
            old=marker(record.actor_name, record.reason),
            new=marker(FORMER_MEMBER.lower(), record.reason),
        )
    Redaction.objects.filter(actor=user).update(actor_name=FORMER_MEMBER.lower())


def _delete_personal_rows(user) -> int:
    """Rows about the member that are not contributions: memberships, marks, RSVPs..."""
    deleted = 0
    keep = {
        # Contributions keep their (anonymised) author; the rows below are the member's own.
        "conversations.Thread", "conversations.Post", "conversations.PostRevision",
        "conversations.StagingComment", "conversations.Flag", "conversations.HelpfulMark",
        "conversations.ProfessionEndorsement",
        "library.Article", "library.Revision", "library.ProposedEdit", "library.ArticleComment",
        "library.GlossaryTerm", "library.Resource", "library.ResourceVersion",
        "library.Reference", "library.Collection",
        "evidence.EvidenceSummary", "evidence.EvidenceRevision", "evidence.ProposedSummaryEdit",
        "evidence.Appraisal", "evidence.PracticeProposal", "evidence.ProposalTransition",
        "evidence.Decision", "learning.Feedback", "events.Event", "privacy.GuardLog",
        "privacy.Redaction",
        # Counts behind the community's health figures (no text): they stay with the
        # anonymised account, so past periods' figures do not change.
        "insights.MemberDay", "insights.Departure",
    }  # fmt: skip
    for model, keys in owned_keys():
        if model._meta.label in keep:
            continue
        deleted += _owned(model, keys, user).delete()[0]
    # Their address, where it is stored without a key to the account.
    for label in ("communities.Invitation", "bulletin.Subscriber"):
        if apps.is_installed(f"practica.{label.split('.')[0]}"):
            model = apps.get_model(label)
            deleted += model._default_manager.filter(email__iexact=user.email).delete()[0]
    if _sessions_in_database():
        from django.contrib.sessions.models import Session

        # Sessions hold only the account id; ending them signs the member out everywhere.
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(500):
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
                session.delete()
    return deleted


def _sessions_in_database() -> bool:
    """Does the session engine keep sessions in the database (db, cached_db, or ours)?"""
    from importlib import import_module

    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

    return issubclass(import_module(settings.SESSION_ENGINE).SessionStore, DatabaseStore)


def _scrub(user) -> None:
    user.expertise.clear()
    for rel in _user_model()._meta.related_objects:
        if rel.many_to_many:  # article and module owners, summary reviewers, organisers
            getattr(user, rel.get_accessor_name()).clear()
    handle = f"former-member-{user.pk}-{secrets.token_hex(3)}"
    user.username = handle
    user.email = f"{handle}@deleted.invalid"
    user.first_name = user.last_name = ""
    user.display_name = FORMER_MEMBER
    user.location = ""
    user.organisation = None
    user.timezone = "UTC"
    user.bio = user.bio_html = ""
    user.show_in_directory = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()


def _reindex(user, threads: set[int]) -> None:
    from practica.search.indexing import index_objects
    from practica.search.models import SearchEntry

    SearchEntry.objects.filter(kind=SearchEntry.Kind.PERSON, object_id=user.pk).delete()
    if threads:
        index_objects("thread", sorted(threads))
