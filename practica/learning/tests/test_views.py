import re

import pytest
from django.core import mail

from practica.communities.stages import Stage
from practica.learning.models import Attempt, Feedback, Reflection
from practica.learning.services import authoring
from practica.learning.services.assessment import start_attempt, submit_attempt
from practica.learning.tests.factories import make_module, right_answers, wrong_answers
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(member_at):
    return member_at(Stage.PERIPHERAL)


def test_my_learning_lists_community_and_organisation_wide_modules_only(client, community, learner):
    mine = make_module(community=community, title="Ward handover")
    staff = UserFactory(is_staff=True)
    everyone = make_module(community=None, author=staff, title="Information governance")
    other = make_module(community=CommunityFactory(), title="Someone else’s module")
    draft = make_module(community=community, title="Not ready yet", publish=False)
    client.force_login(learner)
    html = client.get("/learning/").content.decode()
    assert mine.title in html and everyone.title in html
    assert other.title not in html and draft.title not in html


def test_my_learning_shows_completion_and_continue(client, community, learner):
    module = make_module(community=community, sections=4, activities=0, readings=0)
    section = module.current_version.snapshot["sections"][0]
    client.force_login(learner)
    client.post(f"/learning/{module.slug}/sections/{section['id']}/read/")
    html = client.get("/learning/").content.decode()
    assert "Continue where you left off" in html
    assert "25% complete" in html
    response = client.get(f"/learning/{module.slug}/continue/")
    second = module.current_version.snapshot["sections"][1]
    assert response.url == f"/learning/{module.slug}/sections/{second['id']}/"


def test_my_learning_has_an_empty_state(client, learner):
    client.force_login(learner)
    assert "No modules for you yet" in client.get("/learning/").content.decode()


def _many_modules(community, count):
    author = MembershipFactory(community=community, stage=Stage.FULL).user
    return [
        make_module(community=community, author=author, title=f"Module {n}", sections=2)
        for n in range(count)
    ]


def test_my_learning_takes_the_same_queries_for_few_or_many_modules(
    client, community, learner, django_assert_max_num_queries
):
    _many_modules(community, 1)
    client.force_login(learner)
    client.get("/learning/")
    with django_assert_max_num_queries(14) as few:
        client.get("/learning/")
    baseline = len(few)
    modules = _many_modules(community, 6)
    for module in modules[:3]:
        section = module.current_version.snapshot["sections"][0]
        client.post(f"/learning/{module.slug}/sections/{section['id']}/read/")
    with django_assert_max_num_queries(baseline):
        client.get("/learning/")


def test_module_page_takes_the_same_queries_for_few_or_many_sections(
    client, community, learner, django_assert_max_num_queries
):
    small = make_module(community=community, sections=1, questions=4, per_attempt=4)
    big = make_module(
        community=community, title="Big", sections=25, activities=5, questions=4, per_attempt=4
    )
    client.force_login(learner)
    client.get(small.get_absolute_url())
    with django_assert_max_num_queries(16) as few:
        client.get(small.get_absolute_url())
    baseline = len(few)
    with django_assert_max_num_queries(baseline):
        response = client.get(big.get_absolute_url())
    assert "Section 25" in response.content.decode()


def test_section_page_renders_markdown_and_marks_read(client, community, learner):
    module = make_module(community=community)
    section = module.current_version.snapshot["sections"][0]
    client.force_login(learner)
    response = client.get(f"/learning/{module.slug}/sections/{section['id']}/")
    assert response.status_code == 200
    assert "Body of section 1." in response.content.decode()
    assert "Mark as read and continue" in response.content.decode()


def test_an_unpublished_module_says_so(client, community, learner):
    module = make_module(community=community)
    authoring.unpublish_module(actor=module.owners.get(), module=module)
    client.force_login(learner)
    response = client.get(module.get_absolute_url())
    assert response.status_code == 404
    assert "is not published at the moment" in response.content.decode()


def test_a_private_communitys_module_is_not_found_by_outsiders(client):
    """Privacy by default: a private community answers outsiders 404, never its name."""
    private = CommunityFactory(visibility="private")
    module = make_module(community=private)
    client.force_login(UserFactory())
    response = client.get(module.get_absolute_url())
    assert response.status_code == 404
    assert private.name not in response.content.decode()


def test_a_too_large_reflection_is_shown_again_with_a_clear_message(client, community, learner):
    module = make_module(community=community)
    activity = module.current_version.snapshot["activities"][0]
    client.force_login(learner)
    text = "My reflection on handover. " + "x" * 10_000
    response = client.post(f"/learning/{module.slug}/activities/{activity['id']}/", {"text": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "a reflection can be at most 10,000" in html
    assert text in html
    # The reflection box has no maxlength (the site header's search box has its own).
    [textarea] = re.findall(r'<textarea[^>]*name="text"[^>]*>', html)
    assert "maxlength" not in textarea
    assert not Reflection.objects.exists()


def test_a_reflection_is_saved_and_kept_private(client, community, learner):
    module = make_module(community=community)
    activity = module.current_version.snapshot["activities"][0]
    client.force_login(learner)
    url = f"/learning/{module.slug}/activities/{activity['id']}/"
    response = client.post(url, {"text": "I will use ISBAR tomorrow."})
    assert response.status_code == 302
    assert "I will use ISBAR tomorrow." in client.get(url).content.decode()
    client.force_login(MembershipFactory(community=community).user)
    assert "I will use ISBAR tomorrow." not in client.get(url).content.decode()


CORRECTNESS_MARKERS = ["correct", "feedback", "answer 4", "accepted", "is-right", "✓"]


def test_the_attempt_page_holds_no_correctness_markers(client, community, learner):
    module = make_module(community=community, questions=8, per_attempt=8)
    client.force_login(learner)
    response = client.post(f"/learning/{module.slug}/assessment/start/")
    attempt = Attempt.objects.get(user=learner)
    assert response.url == attempt.get_absolute_url()
    html = client.get(attempt.get_absolute_url()).content.decode()
    form = html[html.index('<form method="post" class="attempt"') :]
    for marker in CORRECTNESS_MARKERS:
        assert marker not in form.lower(), marker
    # Options are there, in the drawn order, named by id only.
    first = attempt.draw[0]
    positions = [form.index(f'value="{o}"') for o in first["options"]]
    assert positions == sorted(positions)


def test_submitting_shows_the_result_with_feedback_per_question(client, community, learner):
    module = make_module(community=community, questions=4, per_attempt=4)
    client.force_login(learner)
    client.post(f"/learning/{module.slug}/assessment/start/")
    attempt = Attempt.objects.get(user=learner)
    response = client.post(attempt.get_absolute_url(), right_answers(attempt), follow=True)
    html = response.content.decode()
    assert "You passed" in html and "100%" in html
    for n in range(1, 5):
        assert f"Feedback {n}." in html


def test_tampered_answers_are_refused_and_what_was_typed_is_kept(client, community, learner):
    module = make_module(community=community, questions=4, per_attempt=4)
    client.force_login(learner)
    client.post(f"/learning/{module.slug}/assessment/start/")
    attempt = Attempt.objects.get(user=learner)
    data = right_answers(attempt)
    short = next(k for k, v in data.items() if not v[0].isdigit())
    data[short] = ["  answer 4 "]
    data["q-999999"] = ["1"]
    response = client.post(attempt.get_absolute_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "not part of this attempt" in html
    assert 'value="  answer 4 "' in html
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_an_unknown_option_is_refused_over_http(client, community, learner):
    module = make_module(community=community, questions=3, per_attempt=3)
    client.force_login(learner)
    client.post(f"/learning/{module.slug}/assessment/start/")
    attempt = Attempt.objects.get(user=learner)
    drawn = attempt.draw[0]
    response = client.post(attempt.get_absolute_url(), {f"q-{drawn['question']}": "123456"})
    assert response.status_code == 400
    assert "not an option of its question" in response.content.decode()


def test_a_replayed_submission_returns_the_same_result(client, community, learner):
    module = make_module(community=community, questions=4, per_attempt=4)
    client.force_login(learner)
    client.post(f"/learning/{module.slug}/assessment/start/")
    attempt = Attempt.objects.get(user=learner)
    client.post(attempt.get_absolute_url(), wrong_answers(attempt))
    response = client.post(attempt.get_absolute_url(), right_answers(attempt), follow=True)
    html = response.content.decode()
    assert "already submitted, so it was not scored again" in html
    assert "Not passed this time" in html
    attempt.refresh_from_db()
    assert attempt.percent == 0


def test_starting_during_the_cool_down_is_refused_with_a_message(client, community, learner):
    module = make_module(community=community, questions=4, per_attempt=4)
    client.force_login(learner)
    client.post(f"/learning/{module.slug}/assessment/start/")
    attempt = Attempt.objects.get(user=learner)
    client.post(attempt.get_absolute_url(), wrong_answers(attempt))
    response = client.post(f"/learning/{module.slug}/assessment/start/", follow=True)
    assert "Take a break before the next attempt" in response.content.decode()
    assert Attempt.objects.filter(user=learner).count() == 1


def test_starting_after_the_attempt_limit_is_refused_with_a_message(client, community, learner):
    module = make_module(community=community, questions=4, per_attempt=4, attempt_limit=1)
    client.force_login(learner)
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=wrong_answers(attempt))
    response = client.post(f"/learning/{module.slug}/assessment/start/", follow=True)
    assert "You have used all 1 attempts" in response.content.decode()


def test_someone_elses_attempt_is_not_found(client, community, learner, member_at):
    module = make_module(community=community, questions=4, per_attempt=4)
    attempt = start_attempt(actor=learner, module=module)
    client.force_login(member_at(Stage.PERIPHERAL))
    assert client.get(attempt.get_absolute_url()).status_code == 404
    assert client.post(attempt.get_absolute_url(), right_answers(attempt)).status_code == 404


def test_authoring_a_module_end_to_end(client, community, member_at):
    author = member_at(Stage.FULL)
    client.force_login(author)
    response = client.post(
        "/learning/new/",
        {
            "where": str(community.pk),
            "title": "Falls prevention",
            "overview": "Why falls happen.",
            "outcomes": "",
            "estimated_minutes": "20",
        },
    )
    assert response.status_code == 302
    slug = "falls-prevention"
    client.post(
        f"/learning/{slug}/edit/section/new/",
        {"title": "Risk factors", "body": "Delirium, *medicines*."},
    )
    client.post(
        f"/learning/{slug}/edit/activity/new/", {"title": "Your ward", "prompt": "Think of a fall."}
    )
    client.post(
        f"/learning/{slug}/edit/reading/new/", {"citation": "NICE CG161.", "url": "", "note": ""}
    )
    client.post(
        f"/learning/{slug}/edit/assessment/",
        {
            "title": "Falls check",
            "questions_per_attempt": "1",
            "pass_mark": "100",
            "attempt_limit": "0",
            "cooldown_minutes": "0",
        },
    )
    response = client.post(
        f"/learning/{slug}/edit/questions/new/",
        {
            "kind": "single",
            "text": "Which raises risk?",
            "answers": "* Delirium\nGood lighting",
            "feedback": "Delirium does.",
        },
    )
    assert response.status_code == 302
    response = client.post(f"/learning/{slug}/publish/", follow=True)
    html = response.content.decode()
    assert "Version 1 is published" in html
    assert "<em>medicines</em>" not in html  # sections render on their own pages
    section_html = client.get(f"/learning/{slug}/").content.decode()
    assert "Risk factors" in section_html and "NICE CG161." in section_html


def test_a_question_with_no_correct_option_is_refused_with_the_text_kept(
    client, community, member_at
):
    module = make_module(community=community, questions=1, per_attempt=1, publish=False)
    client.force_login(module.owners.get())
    response = client.post(
        f"/learning/{module.slug}/edit/questions/new/",
        {"kind": "single", "text": "Which?", "answers": "One\nTwo", "feedback": "Because."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mark exactly one option as correct" in html
    assert "One\nTwo" in html


def test_participants_cannot_open_the_editor(client, community, member_at):
    module = make_module(community=community)
    client.force_login(member_at(Stage.PARTICIPANT))
    response = client.get(f"/learning/{module.slug}/edit/")
    assert response.status_code == 403
    assert "Full members and above may author learning modules" in response.content.decode()


def test_feedback_is_stored_emailed_to_owners_and_handled(
    client, community, learner, django_capture_on_commit_callbacks
):
    module = make_module(community=community)
    owner = module.owners.get()
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/learning/{module.slug}/comments/", {"text": "Section 2 needs an example."}
        )
    assert response.status_code == 302
    assert Feedback.objects.get().text == "Section 2 needs an example."
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    assert "Section 2 needs an example." in mail.outbox[0].body
    assert client.get(f"/learning/{module.slug}/comments/received/").status_code == 403

    client.force_login(owner)
    html = client.get(f"/learning/{module.slug}/comments/received/").content.decode()
    assert "Section 2 needs an example." in html and "Open (1)" in html
    item = Feedback.objects.get()
    client.post(f"/learning/{module.slug}/comments/{item.pk}/handled/", {"handled": "1"})
    item.refresh_from_db()
    assert item.handled_by == owner
    assert (
        "Handled (1)" in client.get(f"/learning/{module.slug}/comments/received/").content.decode()
    )


def test_empty_feedback_is_refused_beside_the_field(client, community, learner):
    module = make_module(community=community)
    client.force_login(learner)
    response = client.post(f"/learning/{module.slug}/comments/", {"text": ""})
    assert response.status_code == 400
    assert re.search(r'class="error"', response.content.decode())


def test_glossary_terms_from_the_community_glossary_appear_in_the_module(
    client, community, learner
):
    from practica.library.models import GlossaryTerm

    term = GlossaryTerm.objects.create(
        community=community,
        term="ISBAR",
        slug="isbar",
        definition="Identify, Situation, Background, Assessment, Recommendation.",
        definition_html="<p>Identify, Situation, Background, Assessment, Recommendation.</p>",
    )
    elsewhere = GlossaryTerm.objects.create(
        community=CommunityFactory(),
        term="Other",
        slug="other",
        definition="x",
        definition_html="x",
    )
    module = make_module(community=community, publish=False)
    owner = module.owners.get()
    client.force_login(owner)
    client.post(f"/learning/{module.slug}/edit/glossary/", {"terms": [term.pk, elsewhere.pk]})
    assert list(module.glossary_terms.all()) == [term]
    client.post(f"/learning/{module.slug}/publish/")
    client.force_login(learner)
    html = client.get(module.get_absolute_url()).content.decode()
    assert "Identify, Situation, Background" in html
    assert f"/c/{community.slug}/glossary/#term-isbar" in html


def test_a_participant_shares_a_reflection_as_a_discussion(client, community, member_at):
    from practica.conversations.models import Thread

    participant = member_at(Stage.PARTICIPANT)
    module = make_module(community=community)
    activity = module.current_version.snapshot["activities"][0]
    client.force_login(participant)
    url = f"/learning/{module.slug}/activities/{activity['id']}/"
    client.post(url, {"text": "Handover at 7am works better with a printed ISBAR sheet."})
    html = client.get(url).content.decode()
    assert "Share as a discussion" in html
    assert "you can share it with" in html and "as a discussion, below" in html
    response = client.post(url + "share/")
    thread = Thread.objects.get()
    assert response.url == thread.get_absolute_url()
    assert thread.kind == "discussion" and thread.author == participant
    client.post(url + "share/")
    assert Thread.objects.count() == 1


def test_learners_cannot_share_reflections_before_they_may_start_discussions(
    client, community, learner
):
    module = make_module(community=community)
    activity = module.current_version.snapshot["activities"][0]
    client.force_login(learner)
    url = f"/learning/{module.slug}/activities/{activity['id']}/"
    client.post(url, {"text": "Private thoughts."})
    html = client.get(url).content.decode()
    assert "Share as a discussion" not in html
    # Nothing promises a way to share that a learner does not have.
    assert "Your reflection is private: nobody else can read it." in html
    assert "unless you share it" not in html
    assert "Participants and above can share a reflection with the community" in html
    assert client.post(url + "share/").status_code == 403


def test_section_page_links_community_glossary_terms_once(
    client, community, learner, django_assert_max_num_queries
):
    from practica.library.tests.factories import GlossaryTermFactory

    GlossaryTermFactory(community=community, term="section", definition="A part of a module.")
    module = make_module(community=community)
    section = module.current_version.snapshot["sections"][0]
    client.force_login(learner)
    with django_assert_max_num_queries(30) as page:
        html = client.get(f"/learning/{module.slug}/sections/{section['id']}/").content.decode()
    assert 'class="glossary-term"' in html and ">section</a> 1." in html
    assert sum("library_glossaryterm" in q["sql"] for q in page.captured_queries) == 1
