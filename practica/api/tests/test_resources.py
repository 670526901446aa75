"""The library, events, learning, evidence and bulletin endpoints: the pages' rules through
the same services and gate (a learner's token cannot do what a learner cannot do on the
page, with the page's sentence), private content never reaches a non-member, and every
list runs the same number of queries whatever its length."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.bulletin.tests.factories import ArticleFactory as BulletinArticleFactory
from practica.bulletin.tests.factories import BulletinFactory, IssueFactory
from practica.communities.capabilities import Capability, denial_reason
from practica.communities.stages import Stage
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.events.models import RSVP, Attendance
from practica.events.tests.factories import EventFactory
from practica.evidence.models import Decision, ProposalStatus
from practica.evidence.tests.factories import EvidenceSummaryFactory, PracticeProposalFactory
from practica.learning.tests.factories import make_module
from practica.library.models import Article, GlossaryTerm, Revision
from practica.library.services.resources import add_resource
from practica.library.tests.factories import GlossaryTermFactory, make_article
from practica.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- library --------------------------------------------------------------------------------------


def test_articles_list_and_detail_as_the_library_page_shows_them(ward, members, anonymous):
    make_article(ward, author=members[Stage.FULL], title="Falls bundle", body="Do **this**.")
    response = anonymous.get("/communities/ward/articles")
    assert response.status_code == 200
    [listed] = response.json()["results"]
    assert listed["title"] == "Falls bundle" and listed["status"] == "published"
    detail = anonymous.get(f"/communities/ward/articles/{listed['slug']}").json()
    assert "<strong>this</strong>" in detail["body_html"]
    assert detail["permissions"] == {"edit": False, "propose_edit": False, "comment": False}


def test_a_draft_is_seen_by_its_drafter_and_publishers_only(ward, members, as_member):
    drafter = members[Stage.PARTICIPANT]
    created = as_member(drafter).post(
        "/communities/ward/articles", {"title": "Night checks", "body": "Every two hours."}
    )
    assert created.status_code == 201, created.content
    slug = created.json()["slug"]
    assert created.json()["status"] == "draft"
    learner = as_member(members[Stage.PERIPHERAL])
    assert learner.get(f"/communities/ward/articles/{slug}").status_code == 404
    assert learner.get("/communities/ward/articles?status=draft").json()["results"] == []
    full = as_member(members[Stage.FULL])
    assert [
        a["slug"] for a in full.get("/communities/ward/articles?status=draft").json()["results"]
    ] == [slug]


def test_a_learner_token_cannot_write_an_article(ward, members, as_member):
    learner = members[Stage.PERIPHERAL]
    response = as_member(learner).post(
        "/communities/ward/articles", {"title": "My guide", "body": "Text."}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == denial_reason(
        learner, Capability.DRAFT_ARTICLE, community=ward
    )
    assert response.json()["needed_stage"] == "participant"
    assert not Article.objects.filter(community=ward).exists()


def test_a_participant_cannot_publish_directly(ward, members, as_member):
    participant = members[Stage.PARTICIPANT]
    response = as_member(participant).post(
        "/communities/ward/articles", {"title": "My guide", "body": "Text.", "publish": True}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == denial_reason(
        participant, Capability.EDIT_ARTICLE, community=ward
    )


def test_revisions_are_saved_through_the_service_and_a_stale_base_is_a_409(
    ward, members, as_member
):
    article = make_article(ward, author=members[Stage.FULL], title="Hand hygiene")
    client = as_member(members[Stage.FULL])
    base = client.get(f"/communities/ward/articles/{article.slug}").json()["revision_id"]
    saved = client.post(
        f"/communities/ward/articles/{article.slug}/revisions",
        {"base_revision": base, "title": "Hand hygiene", "body": "Five moments."},
    )
    assert saved.status_code == 201, saved.content
    assert saved.json()["number"] == 2 and saved.json()["is_current"]
    stale = client.post(
        f"/communities/ward/articles/{article.slug}/revisions",
        {"base_revision": base, "title": "Hand hygiene", "body": "Something else."},
    )
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == saved.json()["id"]
    assert Revision.objects.filter(article=article).count() == 2
    history = client.get(f"/communities/ward/articles/{article.slug}/revisions").json()
    assert [r["number"] for r in history["results"]] == [2, 1]
    first = client.get(f"/communities/ward/articles/{article.slug}/revisions/1").json()
    assert first["body"] == "Use ISBAR."


def test_a_learner_cannot_edit_an_article(ward, members, as_member):
    article = make_article(ward, author=members[Stage.FULL])
    learner = members[Stage.PERIPHERAL]
    response = as_member(learner).post(
        f"/communities/ward/articles/{article.slug}/revisions",
        {"base_revision": article.current_revision_id, "title": "X", "body": "Y"},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == denial_reason(
        learner, Capability.EDIT_ARTICLE, community=ward
    )


def test_glossary_is_read_by_all_and_written_by_those_who_edit_articles(
    ward, members, as_member, anonymous
):
    GlossaryTermFactory(community=ward, term="ISBAR", slug="isbar")
    assert [t["term"] for t in anonymous.get("/communities/ward/glossary").json()["results"]] == [
        "ISBAR"
    ]
    learner = members[Stage.PERIPHERAL]
    refused = as_member(learner).post(
        "/communities/ward/glossary", {"term": "NEWS2", "definition": "An early warning score."}
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == denial_reason(
        learner, Capability.EDIT_ARTICLE, community=ward
    )
    full = as_member(members[Stage.FULL])
    added = full.post(
        "/communities/ward/glossary",
        {"term": "NEWS2", "definition": "An early warning score.", "synonyms": ["NEWS"]},
    )
    assert added.status_code == 201 and added.json()["synonyms"] == ["NEWS"]
    clash = full.post("/communities/ward/glossary", {"term": "NEWS", "definition": "Again."})
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "body.term"
    changed = full.send(
        "PUT", "/communities/ward/glossary/news2", {"term": "NEWS2", "definition": "Changed."}
    )
    assert changed.status_code == 200 and changed.json()["definition"] == "Changed."
    assert full.send("DELETE", "/communities/ward/glossary/news2").status_code == 204
    assert not GlossaryTerm.objects.filter(slug="news2").exists()


def _resource(community, user, name="checklist.pdf"):
    return add_resource(
        actor=user,
        community=community,
        title="Falls checklist",
        description="One page.",
        uploaded=SimpleUploadedFile(name, b"%PDF-1.4 falls checklist", "application/pdf"),
    )


def test_resource_metadata_and_download(ward, members, anonymous):
    resource = _resource(ward, members[Stage.PARTICIPANT])
    [listed] = anonymous.get("/communities/ward/resources").json()["results"]
    assert listed["title"] == "Falls checklist" and listed["current_version"] == 1
    detail = anonymous.get(f"/communities/ward/resources/{resource.pk}").json()
    [version] = detail["versions"]
    assert version["original_name"] == "checklist.pdf"
    path = version["download_url"].split("testserver", 1)[-1]
    download = anonymous.client.get(path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 falls checklist"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert (
        anonymous.get(f"/communities/ward/resources/{resource.pk}/versions/9/download").status_code
        == 404
    )


# --- events ---------------------------------------------------------------------------------------


def test_events_and_rsvp_through_the_service_with_the_waitlist(ward, members, as_member, anonymous):
    event = EventFactory(community=ward, capacity=1, created_by=members[Stage.FULL])
    [listed] = anonymous.get("/communities/ward/events").json()["results"]
    assert listed["id"] == event.pk and listed["my_rsvp"] is None
    first = as_member(members[Stage.PERIPHERAL]).send(
        "PUT", f"/communities/ward/events/{event.pk}/rsvp", {"status": "going"}
    )
    assert first.status_code == 200 and first.json()["status"] == "going"
    second = as_member(members[Stage.PARTICIPANT]).send(
        "PUT", f"/communities/ward/events/{event.pk}/rsvp", {"status": "going"}
    )
    assert second.json()["status"] == "waitlisted"
    detail = as_member(members[Stage.PARTICIPANT]).get(f"/communities/ward/events/{event.pk}")
    assert detail.json()["my_rsvp"] == "waitlisted"
    assert detail.json()["going_count"] == 1 and detail.json()["waitlist_count"] == 1
    assert (
        anonymous.send(
            "PUT", f"/communities/ward/events/{event.pk}/rsvp", {"status": "going"}
        ).status_code
        == 401
    )


def test_an_outsider_cannot_rsvp_and_is_told_why(ward, as_member):
    event = EventFactory(community=ward)
    outsider = UserFactory()
    response = as_member(outsider).send(
        "PUT", f"/communities/ward/events/{event.pk}/rsvp", {"status": "going"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == denial_reason(outsider, Capability.RSVP, community=ward)
    assert not RSVP.objects.exists()


def test_only_organisers_see_the_rsvps_and_take_attendance(ward, members, as_member):
    organiser = members[Stage.FULL]
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=1)
    event = EventFactory(
        community=ward,
        created_by=organiser,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        last_ends_at=start + timedelta(hours=1),
    )
    event.organisers.add(organiser)
    key = start.strftime("%Y%m%dT%H%MZ")
    learner = members[Stage.PERIPHERAL]
    path = f"/communities/ward/events/{event.pk}/attendance/{key}"
    refused = as_member(learner).send("PUT", path, {"attendees": [learner.username]})
    assert refused.status_code == 403
    assert refused.json()["detail"] == denial_reason(
        learner, Capability.CREATE_EVENT, community=ward
    )
    assert as_member(learner).get(f"/communities/ward/events/{event.pk}/rsvps").status_code == 403
    other_full = MembershipFactory(community=ward, stage=Stage.FULL).user
    not_theirs = as_member(other_full).send("PUT", path, {"attendees": [learner.username]})
    assert not_theirs.status_code == 403 and "organisers" in not_theirs.json()["detail"]
    client = as_member(organiser)
    taken = client.send("PUT", path, {"attendees": [learner.username]})
    assert taken.status_code == 200, taken.content
    assert taken.json()["attendees"] == [learner.username]
    assert Attendance.objects.filter(event=event, user=learner).count() == 1
    unknown = client.send("PUT", path, {"attendees": ["nobody-here"]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.attendees"
    assert client.get(path).json()["attendees"] == [learner.username]
    assert client.get(f"/communities/ward/events/{event.pk}/rsvps").status_code == 200


# --- learning -------------------------------------------------------------------------------------


def test_modules_my_progress_and_completions(ward, members, as_member, anonymous):
    module = make_module(community=ward, sections=1, activities=0, readings=0, questions=0)
    learner = members[Stage.PERIPHERAL]
    client = as_member(learner)
    assert [m["slug"] for m in client.get("/learning/modules").json()["results"]] == [module.slug]
    assert anonymous.get("/learning/modules").json()["results"] == []
    detail = client.get(f"/learning/modules/{module.slug}").json()
    assert detail["can_take"] and detail["my_progress"] is None
    [entry] = client.get("/me/learning").json()["results"]
    assert entry["progress"]["status"] == "not_started"
    assert client.get("/me/completions").json()["results"] == []
    from practica.learning.services.progress import mark_section_read

    section = module.current_version.snapshot["sections"][0]["id"]
    mark_section_read(actor=learner, module=module, section_id=section)
    [done] = client.get("/me/completions").json()["results"]
    assert done["module"]["slug"] == module.slug and done["completed_at"]
    [entry] = client.get("/me/learning").json()["results"]
    assert entry["progress"]["status"] == "completed" and entry["progress"]["percent"] == 100
    assert anonymous.get("/me/completions").status_code == 401


# --- evidence and decisions -----------------------------------------------------------------------


def _decision(community, decided_by):
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.ADOPTED)
    summary = EvidenceSummaryFactory(community=community)
    decision = Decision.objects.create(
        community=community,
        proposal=proposal,
        outcome=ProposalStatus.ADOPTED,
        context="Omissions at night.",
        options_considered="ISBAR or SBAR.",
        rationale="The trial.",
        decided_by=decided_by,
    )
    decision.evidence.add(summary)
    return decision


def test_evidence_summaries_and_decisions(ward, members, anonymous):
    summary = EvidenceSummaryFactory(community=ward, title="Structured handover trial")
    decision = _decision(ward, members[Stage.STEWARD])
    listed = anonymous.get("/communities/ward/evidence").json()["results"]
    assert summary.pk in [s["id"] for s in listed]
    detail = anonymous.get(f"/communities/ward/evidence/{summary.pk}").json()
    assert detail["key_findings"] == "Fewer omissions at handover."
    [found] = anonymous.get("/communities/ward/decisions?outcome=adopted").json()["results"]
    assert found["id"] == decision.pk and found["decided_by"]["stage"] == "steward"
    assert anonymous.get("/communities/ward/decisions?outcome=declined").json()["results"] == []
    assert anonymous.get(f"/communities/ward/decisions/{decision.pk}").status_code == 200


# --- bulletin -------------------------------------------------------------------------------------


def test_bulletin_issues_and_articles(anonymous):
    bulletin = BulletinFactory(slug="research")
    issue = IssueFactory(bulletin=bulletin, year=2026, month=3, published=True)
    BulletinArticleFactory(issue=issue, title="Falls in care homes", slug="falls")
    IssueFactory(bulletin=bulletin, year=2026, month=4)  # a draft: never shown
    assert "research" in [b["slug"] for b in anonymous.get("/bulletins").json()["results"]]
    [listed] = anonymous.get("/bulletins/research/issues").json()["results"]
    assert (listed["year"], listed["month"], listed["article_count"]) == (2026, 3, 1)
    detail = anonymous.get("/bulletins/research/issues/2026/3").json()
    assert [a["slug"] for a in detail["articles"]] == ["falls"]
    assert anonymous.get("/bulletins/research/issues/2026/3/falls").json()["title"] == (
        "Falls in care homes"
    )
    assert anonymous.get("/bulletins/research/issues/2026/4").status_code == 404


# --- private content ------------------------------------------------------------------------------


def test_private_community_content_never_reaches_a_non_members_token(private_ward, ward, as_member):
    author = MembershipFactory(community=private_ward, stage=Stage.FULL).user
    article = make_article(private_ward, author=author, title="Secret rota")
    GlossaryTermFactory(community=private_ward, term="Nightly", slug="nightly")
    resource = _resource(private_ward, author)
    event = EventFactory(community=private_ward)
    summary = EvidenceSummaryFactory(community=private_ward)
    decision = _decision(private_ward, author)
    module = make_module(community=private_ward, sections=1, activities=0, readings=0)
    BulletinFactory(slug="night-news", community=private_ward)
    outsider = as_member(MembershipFactory(community=ward, stage=Stage.FULL).user)
    for path in (
        "/communities/night/articles",
        f"/communities/night/articles/{article.slug}",
        f"/communities/night/articles/{article.slug}/revisions",
        "/communities/night/glossary",
        "/communities/night/resources",
        f"/communities/night/resources/{resource.pk}",
        f"/communities/night/resources/{resource.pk}/versions/1/download",
        "/communities/night/events",
        f"/communities/night/events/{event.pk}",
        "/communities/night/evidence",
        f"/communities/night/evidence/{summary.pk}",
        "/communities/night/decisions",
        f"/communities/night/decisions/{decision.pk}",
        f"/learning/modules/{module.slug}",
        "/bulletins/night-news/issues",
    ):
        response = outsider.get(path)
        assert response.status_code in (403, 404), path
        assert "Secret rota" not in response.content.decode(), path
    assert module.slug not in outsider.get("/learning/modules").content.decode()
    assert "night-news" not in outsider.get("/bulletins").content.decode()
    member = as_member(author)
    assert member.get("/communities/night/articles").json()["results"]
    assert member.get("/bulletins/night-news/issues").status_code == 200


def test_a_token_limited_to_another_community_reaches_none_of_this_one(
    ward, private_ward, members, as_member
):
    make_article(ward, author=members[Stage.FULL])
    night_member = MembershipFactory(community=private_ward, stage=Stage.FULL).user
    MembershipFactory(community=ward, stage=Stage.FULL, user=night_member)
    limited = as_member(night_member, community=private_ward)
    response = limited.get("/communities/ward/articles")
    assert response.status_code == 403 and response.json()["type"].endswith("insufficient-scope")


# --- per-post permission flags --------------------------------------------------------------------


def test_posts_say_what_the_caller_may_do_with_them_as_the_thread_page_does(
    ward, members, as_member, anonymous
):
    thread = ThreadFactory(community=ward, author=members[Stage.PERIPHERAL], reply_count=1)
    reply = PostFactory(thread=thread, author=members[Stage.FULL])
    path = f"/communities/ward/threads/{thread.pk}/posts"
    asker = {
        p["id"]: p["permissions"]
        for p in as_member(members[Stage.PERIPHERAL]).get(path).json()["results"]
    }
    assert asker[reply.pk]["accept"] and asker[reply.pk]["mark_helpful"]
    assert not asker[reply.pk]["edit"]
    replier = {
        p["id"]: p["permissions"]
        for p in as_member(members[Stage.FULL]).get(path).json()["results"]
    }
    assert replier[reply.pk]["edit"] and not replier[reply.pk]["mark_helpful"]
    steward = {
        p["id"]: p["permissions"]
        for p in as_member(members[Stage.STEWARD]).get(path).json()["results"]
    }
    assert steward[reply.pk]["edit"] and steward[reply.pk]["redact"]
    assert all(p["permissions"] is None for p in anonymous.get(path).json()["results"])


# --- constant queries -----------------------------------------------------------------------------


def _seed(ward, members, bulletin, n):
    full = members[Stage.FULL]
    for i in range(n):
        make_article(ward, author=full, title=f"Guide {n}-{i}")
        GlossaryTermFactory(community=ward, term=f"Term {n} {i}", slug=f"term-{n}-{i}")
        _resource(ward, MembershipFactory(community=ward, stage=Stage.PARTICIPANT).user)
        event = EventFactory(community=ward, created_by=full)
        event.organisers.add(UserFactory())
        RSVP.objects.create(event=event, user=members[Stage.PERIPHERAL], status="going")
        EvidenceSummaryFactory(community=ward)
        _decision(ward, UserFactory())
        make_module(community=ward, title=f"Module {n}-{i}", sections=1, activities=0, readings=0)
        BulletinArticleFactory(issue=IssueFactory(bulletin=bulletin, published=True))


LISTS = (
    "/communities/ward/articles?limit=100",
    "/communities/ward/glossary?limit=100",
    "/communities/ward/resources?limit=100",
    "/communities/ward/events?limit=100",
    "/communities/ward/evidence?limit=100",
    "/communities/ward/decisions?limit=100",
    "/learning/modules?limit=100",
    "/me/learning",
    "/me/completions",
    "/bulletins?limit=100",
    "/bulletins/ward-news/issues?limit=100",
)


def _counts(client) -> dict[str, int]:
    client.get("/people/me")  # the token's first use of the minute records itself
    counts = {}
    for path in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        counts[path] = len(queries)
    return counts


def test_list_endpoints_run_the_same_number_of_queries_for_2_rows_as_for_12(
    ward, members, as_member
):
    bulletin = BulletinFactory(slug="ward-news")
    _seed(ward, members, bulletin, 2)
    client = as_member(members[Stage.PERIPHERAL])
    few = _counts(client)
    _seed(ward, members, bulletin, 10)
    many = _counts(client)
    assert many == few
    assert max(few.values()) <= 16, few
    assert len(client.get("/communities/ward/articles?limit=100").json()["results"]) == 12


def test_a_series_takes_an_answer_for_one_date_or_for_every_date(ward, members, as_member):
    from practica.events.tests.test_views import weekly_journal_club

    event = weekly_journal_club(ward, members[Stage.FULL])
    client = as_member(members[Stage.PERIPHERAL])
    detail = client.get(f"/communities/ward/events/{event.pk}").json()
    first, second = detail["coming"][0]["key"], detail["coming"][1]["key"]
    path = f"/communities/ward/events/{event.pk}/rsvp"
    every = client.send("PUT", path, {"status": "going"})
    assert every.status_code == 200 and every.json()["occurrence"] is None
    one = client.send("PUT", path, {"status": "not_going", "occurrence": second})
    assert one.json()["occurrence"] == second
    dates = {
        d["key"]: d["my_rsvp"]
        for d in client.get(f"/communities/ward/events/{event.pk}").json()["coming"]
    }
    assert dates[first] == "going" and dates[second] == "not_going"
    wrong = client.send("PUT", path, {"status": "going", "occurrence": "20000101T0000Z"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "body.occurrence"
