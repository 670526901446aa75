import pytest

from practica.communities.stages import Stage
from practica.learning.services.assessment import start_attempt, submit_attempt
from practica.learning.services.progress import mark_section_read
from practica.learning.tests.factories import make_module, right_answers

pytestmark = pytest.mark.django_db


def test_the_module_pdf_is_served_at_the_module_url_plus_pdf(client, community, member_at):
    module = make_module(community=community, sections=2)
    client.force_login(member_at(Stage.PERIPHERAL))
    response = client.get(f"/learning/{module.slug}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_record_pdf_lists_completed_modules(client, community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    module = make_module(community=community, sections=1, activities=0, questions=4, per_attempt=4)
    mark_section_read(
        actor=learner,
        module=module,
        section_id=module.current_version.snapshot["sections"][0]["id"],
    )
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=right_answers(attempt))
    client.force_login(learner)
    assert module.title in client.get("/learning/record/").content.decode()
    response = client.get("/learning/record.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
