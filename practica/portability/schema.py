"""What a community archive holds: one JSON Lines file per kind, in the order they import.

Every kind is one model. A row is the model's own fields by name, with three rules
(docs/community-archive.md says the same for people reading an archive):

- `id` is the row's primary key on the instance that wrote it: it means nothing anywhere
  else, and only names the row for other rows of the same archive.
- A reference to another kind in the archive is that row's `id`; a reference to a person is
  their email address (everyone referenced is in `people.jsonl`); the community itself is
  implied and never written.
- Rendered HTML (`*_html`) is not written: the importer renders it again from the source
  text, so an archive can never carry HTML of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q

FORMAT = "practica-community-archive"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Kind:
    """One file of the archive: `name`.jsonl holds the rows of `model` that `scope` selects."""

    name: str
    model_label: str
    scope: Callable[[models.Model], Q]
    # Fields not written (beyond the id, the community and rendered HTML).
    exclude: tuple[str, ...] = ()
    # Fields whose slug is unique across the instance: an import renames them if taken.
    global_slugs: tuple[str, ...] = ()
    # Rows matched by this natural key instead of created when the instance has them.
    natural_key: tuple[str, ...] = ()
    file_fields: tuple[str, ...] = ()
    description: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def filename(self) -> str:
        return f"{self.name}.jsonl"


def _community(prefix: str = "") -> Callable:
    return lambda community: Q(**{f"{prefix}community": community})


def _own(prefix: str) -> Callable:
    return lambda community: Q(**{f"{prefix}__community": community})


KINDS: list[Kind] = [
    Kind("organisations", "people.Organisation", lambda c: Q(pk__in=[]),
         natural_key=("slug",), description="Organisations of the community and of its people."),
    Kind("people", "people.User", lambda c: Q(pk__in=[]),
         description="Everyone the archive mentions, matched by email on import."),
    Kind("community", "communities.Community", lambda c: Q(pk=c.pk),
         description="The community itself: name, charter, visibility, stage labels."),
    Kind("topics", "communities.Topic", _community()),
    Kind("capability_overrides", "communities.CapabilityOverride", _community()),
    Kind("progression_rules", "communities.ProgressionRule", _community()),
    Kind("criteria", "communities.Criterion", _own("rule")),
    Kind("conversation_settings", "conversations.ConversationSettings", _community()),
    Kind("evidence_settings", "evidence.EvidenceSettings", _community()),
    Kind("members", "communities.Membership", _community(),
         description="Members with their stage, suspension and dates."),
    Kind("stage_changes", "communities.StageChange", _own("membership"),
         description="Every change of stage: who or which rule, and why."),
    Kind("promotion_requests", "communities.PromotionRequest", _own("membership")),
    Kind("endorsements", "communities.Endorsement", _community()),
    Kind("mentorships", "communities.Mentorship", _community()),
    Kind("threads", "conversations.Thread", _community()),
    Kind("posts", "conversations.Post", _own("thread")),
    Kind("post_revisions", "conversations.PostRevision", _own("post__thread")),
    Kind("helpful_marks", "conversations.HelpfulMark", _own("post__thread")),
    Kind("answer_endorsements", "conversations.ProfessionEndorsement", _own("post__thread")),
    Kind("flags", "conversations.Flag", _own("post__thread")),
    Kind("staging_comments", "conversations.StagingComment", _own("thread")),
    Kind("events", "events.Event", _community()),
    Kind("rsvps", "events.RSVP", _own("event")),
    Kind("attendance", "events.Attendance", _own("event")),
    Kind("articles", "library.Article", _community(),
         description="Knowledge articles; their text is in article_revisions."),
    Kind("article_revisions", "library.Revision", _own("article"),
         description="Every revision of every article."),
    Kind("article_proposed_edits", "library.ProposedEdit", _own("article")),
    Kind("article_comments", "library.ArticleComment", _own("article")),
    Kind("references", "library.Reference", _own("article")),
    Kind("glossary", "library.GlossaryTerm", _community()),
    Kind("resources", "library.Resource", _community()),
    Kind("resource_versions", "library.ResourceVersion", _own("resource"),
         file_fields=("file",), description="Uploaded files; the bytes are under files/."),
    Kind("collections", "library.Collection", _community()),
    Kind("collection_items", "library.CollectionItem", _own("collection")),
    Kind("modules", "learning.Module", _community(), global_slugs=("slug",)),
    Kind("module_sections", "learning.Section", _own("module")),
    Kind("module_activities", "learning.Activity", _own("module")),
    Kind("module_readings", "learning.Reading", _own("module")),
    Kind("module_versions", "learning.ModuleVersion", _own("module"),
         description="Each published version, frozen as learners saw it."),
    Kind("assessments", "learning.Assessment", _own("module"), global_slugs=("slug",)),
    Kind("assessment_questions", "learning.Question", _own("assessment__module")),
    Kind("assessment_options", "learning.Option", _own("question__assessment__module")),
    Kind("module_progress", "learning.ModuleProgress", _own("module")),
    Kind("reflections", "learning.Reflection", _own("progress__module")),
    Kind("attempts", "learning.Attempt", _own("assessment__module")),
    Kind("module_feedback", "learning.Feedback", _own("module")),
    Kind("evidence_summaries", "evidence.EvidenceSummary", _community()),
    Kind("evidence_revisions", "evidence.EvidenceRevision", _own("summary")),
    Kind("evidence_proposed_edits", "evidence.ProposedSummaryEdit", _own("summary")),
    Kind("appraisals", "evidence.Appraisal", _own("summary")),
    Kind("practice_proposals", "evidence.PracticeProposal", _community()),
    Kind("proposal_transitions", "evidence.ProposalTransition", _own("proposal")),
    Kind("decisions", "evidence.Decision", _community()),
    Kind("bulletins", "bulletin.Bulletin", _community(), global_slugs=("slug",)),
    Kind("bulletin_editors", "bulletin.BulletinEditor", _own("bulletin")),
    Kind("bulletin_issues", "bulletin.Issue", _own("bulletin")),
    Kind("bulletin_topics", "bulletin.Topic",
         lambda c: Q(articles__issue__bulletin__community=c)
         | Q(subscribers__bulletin__community=c) | Q(community_topic__community=c),
         natural_key=("slug",), description="Bulletin topics (shared by the instance)."),
    Kind("bulletin_articles", "bulletin.Article", _own("issue__bulletin")),
    Kind("bulletin_authors", "bulletin.ArticleAuthor", _own("article__issue__bulletin")),
    Kind("bulletin_related", "bulletin.RelatedItem", _own("article__issue__bulletin")),
    Kind("bulletin_subscribers", "bulletin.Subscriber", _own("bulletin")),
]  # fmt: skip

BY_NAME = {kind.name: kind for kind in KINDS}


def kind_for_model(model: type[models.Model]) -> Kind | None:
    label = model._meta.label
    return next((kind for kind in KINDS if kind.model_label == label), None)


def is_rendered(model: type[models.Model], name: str) -> bool:
    """`body_html` beside `body`: derived, so never written."""
    if not name.endswith("_html"):
        return False
    source = name[: -len("_html")]
    return any(f.name == source for f in model._meta.concrete_fields)


def written_fields(kind: Kind) -> list[models.Field]:
    """The concrete fields a row of `kind` carries, in the model's order (`id` first)."""
    model = kind.model
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in kind.exclude or is_rendered(model, f.name):
            continue
        to_community = f.is_relation and f.related_model._meta.label == "communities.Community"
        if to_community and kind.name != "community":
            continue
        out.append(f)
    return out


def written_m2m(kind: Kind) -> list[models.ManyToManyField]:
    return [f for f in kind.model._meta.many_to_many if f.name not in kind.exclude]


PEOPLE_FIELDS = (
    "email", "username", "first_name", "last_name", "display_name", "profession",
    "organisation", "location", "timezone", "bio", "show_in_directory", "date_joined",
)  # fmt: skip
