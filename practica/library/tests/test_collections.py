import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from practica.communities.stages import Stage
from practica.conversations.models import Thread, ThreadStatus
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.library.models import CollectionItem
from practica.library.services.collections import add_item, create_collection, move_item
from practica.library.services.references import import_references
from practica.library.tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_learner_walks_through_a_collection(client, community, member_at):
    steward = member_at(Stage.STEWARD)
    first = make_article(community, title="Welcome to the ward")
    second = make_article(community, title="ISBAR handover guide")
    kit = create_collection(actor=steward, community=community, title="Starter kit for new nurses")
    add_item(actor=steward, collection=kit, article=second)
    item = add_item(actor=steward, collection=kit, article=first)
    move_item(actor=steward, item=item, direction=-1)
    client.force_login(member_at(Stage.PERIPHERAL))
    step1 = client.get(f"/c/{community.slug}/library/collections/{kit.slug}/1/").content.decode()
    assert "Welcome to the ward" in step1 and "Next →" in step1
    step2 = client.get(f"/c/{community.slug}/library/collections/{kit.slug}/2/").content.decode()
    assert "ISBAR handover guide" in step2 and "← Previous" in step2
    assert client.get(f"/c/{community.slug}/library/collections/{kit.slug}/3/").status_code == 404


def test_pasted_references_show_as_numbered_notes_and_export(client, community, member_at):
    editor = member_at(Stage.FULL)
    article = make_article(community, author=editor)
    import_references(
        actor=editor,
        article=article,
        text="@book{w1998, author={Wenger, Etienne}, title={Communities of practice: learning, meaning, and identity}, publisher={Cambridge University Press}, address={Cambridge}, year=1998}",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="ref-1"' in html and "Wenger E. Communities of practice" in html
    ris = client.get(f"/c/{community.slug}/library/articles/{article.slug}/references.ris")
    assert b"AU  - Wenger, Etienne" in ris.content


def test_broken_pasted_bibtex_shows_the_line_beside_the_field(client, community, member_at):
    editor = member_at(Stage.FULL)
    article = make_article(community, author=editor)
    client.force_login(editor)
    response = client.post(
        f"/c/{community.slug}/library/articles/{article.slug}/references/",
        {"text": "@book{x,\n title = {Broken\n}"},
    )
    assert "Line 2" in response.content.decode()
    assert article.references.count() == 0


# --- conversation threads as steps ----------------------------------------------------------


def _kit(community, curator, title="Starter kit for new nurses"):
    kit = create_collection(actor=curator, community=community, title=title)
    kit.community = community
    return kit


def _walk(kit, step=None):
    base = f"/c/{kit.community.slug}/library/collections/{kit.slug}/"
    return base if step is None else f"{base}{step}/"


def _solved_thread(community, *, title="NEWS2 of 5: what exactly do I do?"):
    thread = ThreadFactory(community=community, title=title, body="The score went up to **5**.")
    answer = PostFactory(thread=thread, body="Tell the nurse in charge and call the doctor.")
    Thread.objects.filter(pk=thread.pk).update(accepted_post=answer, reply_count=1)
    thread.refresh_from_db()
    return thread


def test_a_curator_adds_a_public_thread_as_a_step(community, member_at):
    steward = member_at(Stage.STEWARD)
    kit = _kit(community, steward)
    thread = _solved_thread(community)
    item = add_item(actor=steward, collection=kit, thread=thread, note="Ask early.")
    assert item.thread == thread and item.target == thread and item.position == 1


@pytest.mark.parametrize(
    "change",
    [
        {"hidden_at": timezone.now()},
        {"deleted_at": timezone.now()},
        {"status": ThreadStatus.STAGED},
    ],
    ids=["hidden", "deleted", "staged"],
)
def test_a_thread_that_not_everyone_may_open_cannot_be_added(community, member_at, change):
    steward = member_at(Stage.STEWARD)
    kit = _kit(community, steward)
    thread = ThreadFactory(community=community, **change)
    with pytest.raises(ValidationError, match="not hidden or deleted"):
        add_item(actor=steward, collection=kit, thread=thread)
    assert not kit.items.exists()


def test_a_thread_of_another_community_or_twice_is_refused(community, member_at):
    steward = member_at(Stage.STEWARD)
    kit = _kit(community, steward)
    with pytest.raises(ValidationError, match="another community"):
        add_item(actor=steward, collection=kit, thread=ThreadFactory())
    thread = ThreadFactory(community=community)
    add_item(actor=steward, collection=kit, thread=thread)
    with pytest.raises(ValidationError, match="already in this collection"):
        add_item(actor=steward, collection=kit, thread=thread)


@pytest.mark.parametrize("stage", [Stage.PERIPHERAL, Stage.PARTICIPANT])
def test_only_curators_add_threads(community, member_at, stage):
    kit = _kit(community, member_at(Stage.STEWARD))
    with pytest.raises(PermissionDenied):
        add_item(actor=member_at(stage), collection=kit, thread=ThreadFactory(community=community))


def test_an_item_holds_exactly_one_target_in_the_database(community, member_at):
    steward = member_at(Stage.STEWARD)
    kit = _kit(community, steward)
    article = make_article(community)
    thread = ThreadFactory(community=community)
    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionItem.objects.create(collection=kit, position=1, article=article, thread=thread)
    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionItem.objects.create(collection=kit, position=1)


def test_curator_adds_a_thread_from_the_collection_page(client, community, member_at):
    steward = member_at(Stage.FULL)
    kit = _kit(community, steward)
    thread = _solved_thread(community)
    ThreadFactory(community=community, title="A hidden thread title", hidden_at=timezone.now())
    ThreadFactory(community=community, title="A staged thread title", status="staged")
    client.force_login(steward)
    page = client.get(_walk(kit)).content.decode()
    assert '<optgroup label="Conversations">' in page and thread.title in page
    assert "A hidden thread title" not in page and "A staged thread title" not in page
    response = client.post(_walk(kit), {"item": f"thread:{thread.pk}", "note": "Ask early."})
    assert response.status_code == 302
    assert kit.items.get().thread == thread
    page = client.get(_walk(kit)).content.decode()
    assert "Conversation</span>" in page and "Solved" in page and thread.title in page


def test_the_thread_page_offers_add_to_a_collection_to_curators_only(client, community, member_at):
    steward = member_at(Stage.FULL)
    kit = _kit(community, steward, title="Night shift survival")
    thread = _solved_thread(community)
    client.force_login(member_at(Stage.PARTICIPANT))
    assert "Add to a collection" not in client.get(thread.get_absolute_url()).content.decode()
    collect = f"/c/{community.slug}/library/collect/{thread.pk}/"
    assert client.post(collect, {"collection": kit.pk}).status_code == 403
    client.force_login(steward)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Add to a collection" in page and "Night shift survival" in page
    response = client.post(collect, {"collection": kit.pk}, follow=True)
    assert response.redirect_chain[-1][0] == thread.get_absolute_url()
    assert "Added to the collection “Night shift survival”." in response.content.decode()
    response = client.post(collect, {"collection": kit.pk}, follow=True)
    assert "already in this collection" in response.content.decode()
    assert kit.items.filter(thread=thread).count() == 1


def test_no_add_to_a_collection_button_on_a_hidden_thread(client, community, member_at):
    steward = member_at(Stage.STEWARD)
    _kit(community, steward)
    thread = ThreadFactory(community=community, hidden_at=timezone.now())
    client.force_login(steward)
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200 and "Add to a collection" not in response.content.decode()


def test_the_walk_through_shows_the_question_and_its_accepted_answer(client, community, member_at):
    steward = member_at(Stage.STEWARD)
    kit = _kit(community, steward)
    add_item(actor=steward, collection=kit, article=make_article(community, title="ISBAR guide"))
    thread = _solved_thread(community)
    add_item(actor=steward, collection=kit, thread=thread, note="Ask early.")
    open_question = ThreadFactory(community=community, title="Still waiting for an answer here")
    add_item(actor=steward, collection=kit, thread=open_question)
    client.force_login(member_at(Stage.PERIPHERAL))
    html = client.get(_walk(kit, 2)).content.decode()
    assert "Step 2 of 3" in html and thread.title in html and "Ask early." in html
    assert "The score went up to <strong>5</strong>." in html
    assert "The accepted answer" in html and "Tell the nurse in charge" in html
    assert f'href="{thread.get_absolute_url()}"' in html
    assert "← Previous" in html and "Next →" in html
    html = client.get(_walk(kit, 3)).content.decode()
    assert "No answer has been accepted yet" in html and "Finish" in html


@pytest.mark.parametrize("change", ["hidden_at", "deleted_at"])
def test_a_thread_hidden_or_deleted_later_is_skipped(client, community, member_at, change):
    steward = member_at(Stage.FULL)
    kit = _kit(community, steward)
    first = make_article(community, title="Welcome to the ward")
    add_item(actor=steward, collection=kit, article=first)
    thread = _solved_thread(community)
    add_item(actor=steward, collection=kit, thread=thread)
    add_item(actor=steward, collection=kit, article=make_article(community, title="Last step"))
    Thread.objects.filter(pk=thread.pk).update(**{change: timezone.now()})
    client.force_login(member_at(Stage.PERIPHERAL))
    page = client.get(_walk(kit)).content.decode()
    assert thread.title not in page and "Left out of the walk-through" not in page
    step2 = client.get(_walk(kit, 2)).content.decode()
    assert "Last step" in step2 and "Step 2 of 2" in step2 and thread.title not in step2
    assert client.get(_walk(kit, 3)).status_code == 404
    client.force_login(steward)
    page = client.get(_walk(kit)).content.decode()
    assert "Left out of the walk-through" in page and thread.title not in page


def _fill(kit, curator, n):
    community = kit.community
    for i in range(n):
        add_item(actor=curator, collection=kit, article=make_article(community, title=f"A {i}"))
        add_item(actor=curator, collection=kit, thread=_solved_thread(community, title=f"T {i}?"))
    hidden = ThreadFactory(community=community)
    add_item(actor=curator, collection=kit, thread=hidden)
    Thread.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())


@pytest.mark.parametrize("stage", [Stage.PERIPHERAL, Stage.STEWARD])
def test_collection_pages_run_a_constant_number_of_queries(
    client, community, member_at, stage, django_assert_max_num_queries
):
    steward = member_at(Stage.STEWARD)
    few, many = _kit(community, steward, title="Few"), _kit(community, steward, title="Many")
    _fill(few, steward, 1)
    _fill(many, steward, 12)
    client.force_login(member_at(stage))
    counts = {}
    for kit in (few, many):
        for page in (_walk(kit), _walk(kit, 1), _walk(kit, 2)):
            with django_assert_max_num_queries(30) as captured:
                assert client.get(page).status_code == 200
            counts.setdefault(kit.title, []).append(len(captured.captured_queries))
    assert counts["Few"] == counts["Many"]
