"""The lanyard at the time of writing: posts, revisions and comments keep the stage and
profession their author had when they wrote them."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from practica.communities.capabilities import forget_memberships
from practica.communities.lanyards import fill_written_lanyards
from practica.communities.models import Membership, StageChange
from practica.communities.services.progression import change_stage
from practica.communities.stages import Stage
from practica.conversations import services as conversations
from practica.conversations.models import Post
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.library.services.articles import add_comment, save_revision
from practica.library.tests.factories import make_article
from practica.people.models import Profession
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def promote(community, user, to_stage):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    membership = Membership.objects.get(community=community, user=user)
    change_stage(actor=steward, membership=membership, to_stage=to_stage, reason="Earned it.")
    forget_memberships(user)


def test_a_reply_keeps_the_stage_and_profession_its_author_had_when_writing(
    client, community, member_at
):
    learner = member_at(Stage.PERIPHERAL, user__profession=Profession.NURSE)
    thread = ThreadFactory(community=community)
    early = conversations.reply(actor=learner, thread=thread, body="My first thoughts on this.")
    promote(community, learner, Stage.FULL)
    learner.profession = Profession.MIDWIFE
    learner.save()
    later = conversations.reply(actor=learner, thread=thread, body="Now as a full member.")

    early.refresh_from_db()
    assert (early.written_stage, early.written_profession) == (Stage.PERIPHERAL, "nurse")
    assert (later.written_stage, later.written_profession) == (Stage.FULL, "midwife")

    html = client.get(thread.get_absolute_url()).content.decode()
    early_html = html.split(f'id="post-{early.pk}"')[1].split(f'id="post-{later.pk}"')[0]
    assert "Learner when this was written; Full member now" in early_html
    assert '<span class="profession">Nurse</span>' in early_html
    later_html = html.split(f'id="post-{later.pk}"')[1]
    assert ">Full member<" in later_html and "when this was written" not in later_html
    assert '<span class="profession">Midwife</span>' in later_html


def test_a_post_edit_records_the_editors_lanyard_in_the_history(client, community, member_at):
    author = member_at(Stage.PARTICIPANT, user__profession=Profession.PHARMACIST)
    thread = ThreadFactory(community=community)
    post = conversations.reply(actor=author, thread=thread, body="Check the renal dose first.")
    promote(community, author, Stage.FULL)
    conversations.edit_post(actor=author, post=post, body="Check the renal dose first, always.")

    response = client.get(
        reverse(
            "conversations:post-history",
            kwargs={"community_slug": community.slug, "post_id": post.pk},
        )
    )
    html = response.content.decode()
    assert html.count('<span class="profession">Pharmacist</span>') == 2
    assert "Participant when this was written; Full member now" in html


def test_article_history_and_compare_show_stage_at_writing_and_profession(
    client, community, member_at
):
    writer = member_at(Stage.FULL, user__profession=Profession.DOCTOR)
    article = make_article(community, author=writer, title="Sepsis screening", body="Screen.")
    promote(community, writer, Stage.STEWARD)
    save_revision(
        actor=writer,
        article=article,
        base_revision_id=article.current_revision_id,
        title="Sepsis screening",
        summary="",
        body="Screen every shift.",
        edit_summary="Every shift",
    )
    kwargs = {"community_slug": community.slug, "article_slug": article.slug}
    history = client.get(reverse("library:history", kwargs=kwargs)).content.decode()
    assert history.count('<span class="profession">Doctor</span>') == 2
    assert "Full member when this was written; Steward now" in history
    compare = client.get(reverse("library:compare", kwargs=kwargs) + "?from=1&to=2")
    assert compare.content.decode().count('<span class="profession">Doctor</span>') == 2


def test_an_article_comment_keeps_the_commenters_stage(community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    article = make_article(community)
    comment = add_comment(actor=learner, article=article, body="Does this apply at night?")
    assert comment.written_stage == Stage.PERIPHERAL


def test_rows_written_before_the_columns_get_the_stage_their_history_dates(community):
    membership = MembershipFactory(community=community, stage=Stage.FULL)
    now = timezone.now()
    joined, promoted = now - timedelta(days=100), now - timedelta(days=50)
    StageChange.objects.create(
        membership=membership,
        kind=StageChange.Kind.JOINED,
        from_stage=Stage.VISITOR,
        to_stage=Stage.PERIPHERAL,
        reason="Joined.",
        created_at=joined,
    )
    StageChange.objects.create(
        membership=membership,
        kind=StageChange.Kind.PROMOTED,
        from_stage=Stage.PERIPHERAL,
        to_stage=Stage.FULL,
        reason="Promoted.",
        created_at=promoted,
    )
    thread = ThreadFactory(community=community)
    as_learner = PostFactory(thread=thread, author=membership.user, created_at=now - timedelta(70))
    as_full = PostFactory(thread=thread, author=membership.user, created_at=now - timedelta(10))
    before_joining = PostFactory(
        thread=thread, author=membership.user, created_at=now - timedelta(200)
    )

    filled = fill_written_lanyards(
        apps.get_model("conversations", "Post"),
        user_field="author",
        community_field="thread__community_id",
    )

    assert filled >= 3
    stages = dict(
        Post.objects.filter(pk__in=[as_learner.pk, as_full.pk, before_joining.pk]).values_list(
            "pk", "written_stage"
        )
    )
    assert stages == {
        as_learner.pk: Stage.PERIPHERAL,
        as_full.pk: Stage.FULL,
        before_joining.pk: Stage.PERIPHERAL,
    }
    assert Post.objects.get(pk=as_full.pk).written_profession == "nurse"


def test_the_profile_shows_todays_stage_in_each_community_the_reader_may_see(
    client, community, member_at
):
    from practica.tests.factories import CommunityFactory

    person = member_at(Stage.PARTICIPANT)
    secret = CommunityFactory(name="Private huddle", visibility="private")
    MembershipFactory(community=secret, user=person, stage=Stage.STEWARD)
    client.force_login(member_at(Stage.PERIPHERAL))  # profiles are for signed-in members
    html = client.get(person.get_absolute_url()).content.decode()
    assert community.name in html and ">Participant</span>" in html
    assert "Private huddle" not in html
