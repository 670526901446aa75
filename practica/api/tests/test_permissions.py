"""The API asks the same gate as the pages: what a stage cannot do on a page, its token
cannot do here, with the same sentence; private content never reaches a non-member."""

import pytest

from practica.api.tests.conftest import ApiClient
from practica.communities.capabilities import Capability, denial_reason
from practica.communities.stages import Stage
from practica.conversations.models import ThreadKind
from practica.conversations.permissions import accept_refusal
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.notifications.models import Notification
from practica.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_learner_token_cannot_accept_an_answer_and_is_told_the_stage(
    ward, members, answered, as_member
):
    other = ThreadFactory(community=ward, author=members[Stage.PARTICIPANT], reply_count=1)
    reply = PostFactory(thread=other, author=members[Stage.FULL])
    learner = members[Stage.PERIPHERAL]
    response = as_member(learner).send(
        "PUT", f"/communities/ward/threads/{other.pk}/accepted", {"post_id": reply.pk}
    )
    body = response.json()
    assert response.status_code == 403
    other.community = ward
    assert body["detail"] == accept_refusal(learner, other)  # the thread page's sentence
    assert body["detail"].startswith(
        denial_reason(learner, Capability.ACCEPT_ANSWER, community=ward)
    )
    assert body["needed_stage"] == "full"
    other.refresh_from_db()
    assert other.accepted_post_id is None


def test_the_asker_may_accept_an_answer_to_their_own_question(ward, members, answered, as_member):
    reply = answered.posts.get(is_opening=False)
    response = as_member(members[Stage.PERIPHERAL]).send(
        "PUT", f"/communities/ward/threads/{answered.pk}/accepted", {"post_id": reply.pk}
    )
    assert response.status_code == 200
    assert response.json()["accepted_post_id"] == reply.pk


def test_learner_token_cannot_start_a_discussion(ward, members, as_member):
    learner = members[Stage.PERIPHERAL]
    response = as_member(learner).post(
        "/communities/ward/threads",
        {"kind": ThreadKind.DISCUSSION, "title": "Let us talk about rotas", "body": "Views?"},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == denial_reason(
        learner, Capability.START_DISCUSSION, community=ward
    )


def test_member_token_asks_and_replies_through_the_services(ward, members, question, as_member):
    client = as_member(members[Stage.PARTICIPANT])
    asked = client.post(
        "/communities/ward/threads",
        {"title": "Which pressure mattress for bariatric patients?", "body": "Any advice?"},
    )
    assert asked.status_code == 201, asked.content
    assert asked.json()["status"] == "published"
    replied = client.post(
        f"/communities/ward/threads/{question.pk}/posts", {"body": "We use the dynamic one."}
    )
    assert replied.status_code == 201
    question.refresh_from_db()
    assert question.reply_count == 1


def test_patient_data_is_caught_by_the_guard_with_the_field(ward, members, question, as_member):
    response = as_member(members[Stage.FULL]).post(
        f"/communities/ward/threads/{question.pk}/posts",
        {"body": "Mrs Jane Smith, NHS number 943 476 5919, fell last night."},
    )
    body = response.json()
    assert response.status_code == 422
    assert body["type"].endswith("#patient-data")
    assert body["errors"][0]["field"] == "body.body"
    assert question.posts.count() == 1


def test_only_the_author_edits_a_post(ward, members, answered, as_member):
    reply = answered.posts.get(is_opening=False)
    refused = as_member(members[Stage.PARTICIPANT]).send(
        "PATCH", f"/communities/ward/posts/{reply.pk}", {"body": "Changed by someone else"}
    )
    assert refused.status_code == 403
    edited = as_member(members[Stage.FULL]).send(
        "PATCH", f"/communities/ward/posts/{reply.pk}", {"body": "Edited by the author."}
    )
    assert edited.status_code == 200 and edited.json()["body"] == "Edited by the author."


def test_helpful_marks_through_the_api(ward, members, answered, as_member):
    reply = answered.posts.get(is_opening=False)
    client = as_member(members[Stage.PERIPHERAL])
    marked = client.send("PUT", f"/communities/ward/posts/{reply.pk}/helpful")
    assert marked.json() == {"post_id": reply.pk, "helpful_count": 1, "marked_by_me": True}
    own = as_member(members[Stage.FULL]).send("PUT", f"/communities/ward/posts/{reply.pk}/helpful")
    assert own.status_code == 422


def test_anonymous_visitor_cannot_write(ward, question):
    response = ApiClient().post(f"/communities/ward/threads/{question.pk}/posts", {"body": "Hi"})
    assert response.status_code == 401


def test_private_community_content_never_reaches_a_non_member_token(
    private_ward, members, as_member
):
    insider = MembershipFactory(community=private_ward, stage=Stage.FULL).user
    secret_thread = ThreadFactory(community=private_ward, author=insider, title="Night audit plans")
    Notification.objects.create(
        recipient=insider, community=private_ward, kind="reply", text="x", url="/"
    )
    outsider = as_member(members[Stage.STEWARD])
    assert "night" not in [c["slug"] for c in outsider.get("/communities").json()["results"]]
    for path in (
        "/communities/night",
        "/communities/night/threads",
        f"/communities/night/threads/{secret_thread.pk}",
        f"/communities/night/threads/{secret_thread.pk}/posts",
        "/communities/night/members",
        "/communities/night/topics",
        "/communities/night/charter",
        "/communities/night/questions/similar?title=Night+audit",
    ):
        response = outsider.get(path)
        assert response.status_code == 404, path  # as if it did not exist: never its name
        assert "Night" not in response.content.decode()
    found = outsider.get("/search", {"q": "Night audit"}).json()
    assert found["results"] == []
    profile = outsider.get(f"/people/{insider.username}").json()
    assert profile["memberships"] == []
    assert as_member(insider).get("/communities/night/threads").status_code == 200


def test_a_private_community_answers_an_outsider_as_a_missing_one_does(
    private_ward, members, as_member
):
    outsider = as_member(members[Stage.STEWARD])
    hidden = outsider.get("/communities/night/threads")
    missing = outsider.get("/communities/no-such-place/threads")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"]


def test_members_directory_and_profiles_are_for_signed_in_members(ward, members, anonymous):
    assert anonymous.get("/communities/ward/members").status_code == 401
    response = anonymous.get(f"/people/{members[Stage.FULL].username}")
    assert response.status_code == 401
    assert members[Stage.FULL].name not in response.content.decode()


def test_public_profiles_opens_profiles_and_the_directory_to_visitors(
    ward, members, anonymous, settings
):
    settings.PUBLIC_PROFILES = True
    assert anonymous.get("/communities/ward/members").status_code == 200
    assert anonymous.get(f"/people/{members[Stage.FULL].username}").status_code == 200


def test_a_profile_shows_others_only_what_its_member_chose(members, as_member):
    person = members[Stage.FULL]
    person.location, person.timezone = "Leeds", "Europe/London"
    person.share_location = person.share_timezone = person.share_organisation = False
    person.save()
    seen = as_member(members[Stage.PERIPHERAL]).get(f"/people/{person.username}").json()
    assert (seen["location"], seen["timezone"], seen["organisation"]) == ("", "", None)
    own = as_member(person).get(f"/people/{person.username}").json()
    assert (own["location"], own["timezone"]) == ("Leeds", "Europe/London")
    person.share_location = person.share_timezone = True
    person.save()
    seen = as_member(members[Stage.PERIPHERAL]).get(f"/people/{person.username}").json()
    assert (seen["location"], seen["timezone"]) == ("Leeds", "Europe/London")


def test_members_directory_hides_those_who_opted_out(ward, members, as_member):
    hidden = UserFactory(show_in_directory=False)
    MembershipFactory(community=ward, user=hidden, stage=Stage.FULL)
    listed = as_member(members[Stage.PERIPHERAL]).get("/communities/ward/members").json()["results"]
    names = {m["username"] for m in listed}
    assert hidden.username not in names
    assert members[Stage.FULL].username in names
    assert {m["stage"] for m in listed} == {"peripheral", "participant", "full", "steward"}


def test_unanswered_filter_lists_only_questions_without_replies(ward, question, answered):
    ThreadFactory(community=ward, kind=ThreadKind.DISCUSSION)
    ids = [
        t["id"]
        for t in ApiClient().get("/communities/ward/threads?unanswered=true").json()["results"]
    ]
    assert ids == [question.pk]


def test_notifications_list_and_mark_read(members, as_member):
    member = members[Stage.FULL]
    note = Notification.objects.create(recipient=member, kind="reply", text="A reply", url="/")
    client = as_member(member)
    listing = client.get("/me/notifications").json()
    assert listing["unread"] == 1 and listing["results"][0]["id"] == note.pk
    assert client.post(f"/me/notifications/{note.pk}/read").json() == {"marked": 1}
    assert client.get("/me/notifications?unread=true").json()["results"] == []


def test_my_trajectory(ward, members, as_member):
    body = as_member(members[Stage.PERIPHERAL]).get("/me/trajectory/ward").json()
    assert body["stage"] == "peripheral" and body["next_stage"] == "participant"


@pytest.mark.parametrize("size", [3, 30])
def test_list_endpoints_run_a_constant_number_of_queries(
    size, ward, members, as_member, django_assert_max_num_queries
):
    for _ in range(size):
        thread = ThreadFactory(community=ward, author=members[Stage.PARTICIPANT])
        PostFactory(thread=thread, author=UserFactory())
        MembershipFactory(community=ward)
    busy = ThreadFactory(community=ward)
    for _ in range(size):
        PostFactory(thread=busy, author=UserFactory())
    client = as_member(members[Stage.FULL])
    for path in (
        "/communities/ward/threads?limit=100",
        f"/communities/ward/threads/{busy.pk}/posts?limit=100",
        "/communities/ward/members?limit=100",
        "/communities?limit=100",
    ):
        with django_assert_max_num_queries(14):
            assert client.get(path).status_code == 200
