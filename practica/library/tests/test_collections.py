import pytest

from practica.communities.stages import Stage
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
