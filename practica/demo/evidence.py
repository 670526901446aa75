"""Demo data for evidence into practice in ward-care: three evidence summaries at different
levels of evidence, a journal club with appraisals, and three practice-change proposals —
one adopted with its decision and policy brief, one piloting, one declined; and a learner's
proposed edit to a summary, waiting for review.

The citations are real, well-known publications; pilot figures are the demo ward's own.
Idempotent: each part is added only when it is missing.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from django.utils import timezone

from practica.communities.models import Community, Membership
from practica.communities.stages import Stage
from practica.evidence.models import (
    EvidenceRevision,
    EvidenceScale,
    EvidenceSettings,
    EvidenceSummary,
    PracticeProposal,
    ProposalStatus,
    Rating,
)
from practica.evidence.services.appraisals import record_appraisal
from practica.evidence.services.edits import SummaryText, propose_edit
from practica.evidence.services.proposals import DecisionInput, move_proposal, propose_change
from practica.evidence.services.summaries import (
    SummaryInput,
    create_summary,
    revise_summary,
    start_discussion,
)
from practica.people.models import User

ISBAR = "Structured handover with ISBAR"
MEDREC = "Pharmacist-obtained medication histories at admission"
FALLS = "Multifactorial falls prevention in hospital"


def _people(community) -> dict:
    by_email = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}

    def at(stage, count):
        return [
            m.user
            for m in Membership.objects.filter(community=community, stage=stage, suspended=False)
            .exclude(user__email__endswith="@example.com")
            .select_related("user")
            .order_by("joined_at", "pk")[:count]
        ]

    return {
        "steward": by_email["steward@example.com"],
        "full": by_email["full@example.com"],
        "participant": by_email["participant@example.com"],
        "learner": by_email["learner@example.com"],
        "colleagues": at(Stage.FULL, 3),
        "learners": at(Stage.PERIPHERAL, 3),
        "participants": at(Stage.PARTICIPANT, 2),
    }


def _journal_club(community, people):
    from practica.events.models import Event, EventType
    from practica.events.services import create_event

    event = (
        Event.objects.filter(community=community, kind=EventType.JOURNAL_CLUB)
        .order_by("starts_at")
        .first()
    )
    if event is not None:
        return event
    starts = (timezone.now() - datetime.timedelta(days=12)).replace(
        hour=1, minute=0, second=0, microsecond=0
    )
    return create_event(
        actor=people["steward"],
        community=community,
        title="Journal club: preventing falls on the ward",
        kind=EventType.JOURNAL_CLUB,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        timezone_name="Australia/Sydney",
        description="We appraise the Cochrane review of falls prevention in hospitals and "
        "care facilities, using the validity, results and applicability checklist.",
        join_url="https://meet.riverside-health.example/journal-club",
    )


def _library_reference(community, title_start: str):
    from practica.library.models import Reference

    return (
        Reference.objects.filter(article__community=community, title__istartswith=title_start)
        .select_related("article")
        .first()
    )


def _summaries(community, people, event) -> dict[str, EvidenceSummary]:
    today = datetime.date.today()
    reviewers = [people["steward"], *people["colleagues"][:1]]
    specs = [
        SummaryInput(
            title=ISBAR,
            reference=_library_reference(community, "Impact of the communication and patient"),
            citation_title=(
                "Impact of the communication and patient hand-off tool SBAR on patient "
                "safety: a systematic review"
            ),
            citation_authors=[
                "Müller, Martin",
                "Jürgens, Jana",
                "Redaèlli, Marcus",
                "Klingberg, Karsten",
                "Hautz, Wolf E.",
                "Stock, Stephanie",
            ],
            citation_source="BMJ Open",
            citation_year=2018,
            citation_volume="8",
            citation_issue="8",
            citation_pages="e022202",
            question="Does structuring handover with SBAR or ISBAR make patients safer?",
            population="Hospital patients whose care is handed over between clinicians",
            intervention="Handover structured with SBAR or ISBAR",
            comparison="Unstructured handover",
            outcome="Adverse events, unexpected deaths, communication quality",
            key_findings=(
                "- The review found **moderate evidence** that SBAR improves patient safety, "
                "most clearly when it structures communication over the phone.\n"
                "- Most included studies compared before and after implementation, without "
                "concurrent controls, so part of the effect may come from other changes made "
                "at the same time.\n"
                "- Studies that trained staff and adapted the tool to the setting reported "
                "the clearest improvements."
            ),
            level="III-3",
            implications=(
                "A shared structure for handover is worth adopting on our ward, with "
                "training and an audit. Start with shift handover at the bedside and phone "
                "calls to the medical team, where the review found the clearest benefit."
            ),
            review_by=today - datetime.timedelta(days=10),
            reviewers=tuple(reviewers),
        ),
        SummaryInput(
            title=MEDREC,
            citation_title="Unintended medication discrepancies at the time of hospital admission",
            citation_authors=[
                "Cornish, Patricia L.",
                "Knowles, Sandra R.",
                "Marchesano, Romina",
                "Tam, Vincent",
                "Shadowitz, Steven",
                "Juurlink, David N.",
                "Etchells, Edward E.",
            ],
            citation_source="Archives of Internal Medicine",
            citation_year=2005,
            citation_volume="165",
            citation_issue="4",
            citation_pages="424-429",
            question=(
                "How often do admission medication orders differ, unintentionally, from "
                "what the patient was taking at home?"
            ),
            population="Adults admitted to general internal medicine taking four or more medicines",
            intervention="A structured medication history taken by a pharmacist at admission",
            comparison="The admission orders written by the medical team",
            outcome="Unintended discrepancies and their potential for harm",
            key_findings=(
                "- Just over half of the patients had at least one unintended discrepancy "
                "between their home medicines and their admission orders.\n"
                "- The most common discrepancy was a regular medicine left out.\n"
                "- About four in ten discrepancies were judged able to cause moderate or "
                "severe discomfort or clinical deterioration."
            ),
            level="IV",
            implications=(
                "Our admission medication lists are probably no better. A pharmacist-obtained "
                "best possible medication history, compared with the admission chart within "
                "24 hours, should find omissions before they cause harm. This study shows the "
                "size of the problem rather than the effect of a programme, so pilot before "
                "adopting."
            ),
            review_by=today + datetime.timedelta(days=240),
            reviewers=(people["full"],),  # written by the steward
        ),
        SummaryInput(
            title=FALLS,
            citation_title=(
                "Interventions for preventing falls in older people in care facilities and "
                "hospitals"
            ),
            citation_authors=[
                "Cameron, Ian D.",
                "Dyer, Suzanne M.",
                "Panagoda, Claire E.",
                "Murray, Geoffrey R.",
                "Hill, Keith D.",
                "Cumming, Robert G.",
                "Kerse, Ngaire",
            ],
            citation_source="Cochrane Database of Systematic Reviews",
            citation_year=2018,
            citation_volume="9",
            citation_issue="9",
            citation_pages="CD005465",
            question="What prevents falls among older people in hospital?",
            population="Older people in hospital wards and care facilities",
            intervention="Multifactorial falls prevention, exercise, and single interventions",
            comparison="Usual care",
            outcome="Rate of falls and number of people who fall",
            key_findings=(
                "- In hospitals, multifactorial interventions **may reduce the rate of "
                "falls**, more likely in subacute than in acute wards; the certainty of this "
                "evidence is low.\n"
                "- Supervised exercise in subacute settings may reduce the number of people "
                "who fall.\n"
                "- For single interventions such as bed alarms the evidence is uncertain."
            ),
            level="I",
            implications=(
                "Falls prevention on our ward should combine several measures matched to each "
                "patient's risks — medication review, continence and toileting plans, footwear "
                "and vision, supervised mobility — rather than rely on one device."
            ),
            review_by=today + datetime.timedelta(days=400),
            reviewers=tuple(reviewers),
            event=event,
        ),
    ]
    made = {}
    for spec in specs:
        summary = EvidenceSummary.objects.filter(community=community, title=spec.title).first()
        if summary is None:
            author = people["full"] if spec.title != MEDREC else people["steward"]
            summary = create_summary(actor=author, community=community, data=spec)
        made[spec.title] = summary
    falls = made[FALLS]
    if falls.revision_count == 1:
        revise_summary(
            actor=people["colleagues"][0] if people["colleagues"] else people["steward"],
            summary=falls,
            data=replace(
                specs[2],
                implications=specs[2].implications
                + " Review every patient's falls plan after a fall and at each handover.",
            ),
            base_revision=1,
            edit_summary="Added the review after a fall, from the journal club",
        )
    _backdate(made)
    return made


def _backdate(summaries: dict) -> None:
    now = timezone.now()
    for days, summary in zip((120, 75, 40), summaries.values(), strict=True):
        revisions = list(summary.revisions.order_by("number"))
        for index, revision in enumerate(revisions):
            EvidenceRevision.objects.filter(pk=revision.pk).update(
                created_at=now - datetime.timedelta(days=days - 14 * index)
            )
        EvidenceSummary.objects.filter(pk=summary.pk).update(
            created_at=now - datetime.timedelta(days=days),
            updated_at=now - datetime.timedelta(days=days - 14 * (len(revisions) - 1)),
        )


def _appraisals(summary, people) -> int:
    opinions = [
        (
            people["learner"],
            Rating.GOOD,
            "A Cochrane review with a clear search and risk-of-bias assessment.",
            Rating.SOME_CONCERNS,
            "The hospital result is uncertain: the confidence interval crosses no effect.",
            Rating.GOOD,
            "Our patients are older medical inpatients, like many in the review.",
        ),
        (
            people["participant"],
            Rating.GOOD,
            "Randomised trials only, pooled sensibly.",
            Rating.SOME_CONCERNS,
            "Low-certainty evidence for acute wards.",
            Rating.SOME_CONCERNS,
            "Most benefit was in subacute wards; we are an acute ward.",
        ),
        (
            people["full"],
            Rating.GOOD,
            "",
            Rating.GOOD,
            "The direction of effect is consistent across settings.",
            Rating.GOOD,
            "The components are things we can already do with our staff.",
        ),
    ]
    learner_views = [
        (
            Rating.SOME_CONCERNS,
            "Staff can't be blinded to a falls programme, so reporting may differ.",
            Rating.SOME_CONCERNS,
            "",
            Rating.GOOD,
            "Relevant to the patients I met on placement.",
        ),
        (
            Rating.GOOD,
            "",
            Rating.SOME_CONCERNS,
            "I wasn't sure how many falls a rate ratio of this size saves on our ward.",
            Rating.SOME_CONCERNS,
            "Several trials were in rehabilitation wards with longer stays.",
        ),
    ]
    opinions += [
        (learner, *view) for learner, view in zip(people["learners"], learner_views, strict=False)
    ]
    made = 0
    for who, v, vc, r, rc, a, ac in opinions:
        if summary.appraisals.filter(appraiser=who).exists():
            continue
        record_appraisal(
            actor=who,
            summary=summary,
            answers={
                "validity": v,
                "validity_comment": vc,
                "results": r,
                "results_comment": rc,
                "applicability": a,
                "applicability_comment": ac,
            },
        )
        made += 1
    if summary.event is not None:
        # Recorded during the journal club, not when the demo was seeded.
        when = min(summary.event.ends_at, timezone.now())
        summary.appraisals.update(created_at=when, updated_at=when)
    return made


def _move(actor, proposal, to, reason, **kwargs):
    move_proposal(
        actor=actor,
        proposal=proposal,
        to_status=to,
        expected_status=proposal.status,
        reason=reason,
        **kwargs,
    )


def _spread(proposal, start_days_ago: int) -> None:
    """Spread the proposal's moves over past weeks, so its history reads like real use."""
    now = timezone.now()
    moves = list(proposal.transitions.order_by("pk"))
    step = max(1, start_days_ago // max(1, len(moves)))
    for index, transition in enumerate(moves):
        when = now - datetime.timedelta(days=start_days_ago - index * step)
        type(transition).objects.filter(pk=transition.pk).update(created_at=when)
        last = when
    PracticeProposal.objects.filter(pk=proposal.pk).update(
        created_at=now - datetime.timedelta(days=start_days_ago), updated_at=last
    )
    from practica.evidence.models import Decision

    Decision.objects.filter(proposal=proposal).update(decided_at=last)


def _proposals(community, people, summaries) -> list[str]:
    from practica.library.models import Article

    steward, full = people["steward"], people["full"]
    made = []
    thread_links = []
    isbar = summaries[ISBAR]
    if isbar.thread_id is None:
        start_discussion(actor=full, summary=isbar)
    isbar.refresh_from_db()
    if isbar.thread is not None:
        thread_links.append(isbar.thread.get_absolute_url())

    title = "Use ISBAR for every nursing shift handover"
    if not PracticeProposal.objects.filter(community=community, title=title).exists():
        proposal = propose_change(
            actor=full,
            community=community,
            title=title,
            change=(
                "Every nursing shift handover on the ward follows ISBAR — Identify, Situation, "
                "Background, Assessment, Recommendation — at the bedside, using the prompt card. "
                "New staff learn it in their first week."
            ),
            summaries=[isbar],
            discussion_links=thread_links,
        )
        _move(steward, proposal, ProposalStatus.UNDER_REVIEW, "The evidence summary is reviewed.")
        _move(
            full,
            proposal,
            ProposalStatus.PILOTING,
            "The review supports a pilot with an audit before and after.",
            pilot_plan=(
                "Ward 4B, all nursing shift handovers for six weeks. Two sessions of training "
                "for every nurse before the start; prompt cards at each bedside."
            ),
            pilot_measures=(
                "Audit of handovers before and during the pilot: handovers missing a recent "
                "observation, pending result or escalation plan; time per patient; a short "
                "survey of the nurses receiving handover."
            ),
        )
        article = Article.objects.filter(community=community, slug="isbar-handover-guide").first()
        _move(
            steward,
            proposal,
            ProposalStatus.ADOPTED,
            "The pilot met its measures; the ward's nurses asked to keep it.",
            pilot_results=(
                "60 handovers audited before and 64 during the pilot. Handovers missing a "
                "recent observation, pending result or escalation plan fell from 22 to 9. "
                "Median time per patient stayed at about two minutes. 18 of 21 nurses who "
                "answered the survey found handover clearer."
            ),
            decision=DecisionInput(
                context=(
                    "Three incident reports last year traced a missed deterioration to "
                    "information lost at shift handover. Handover style varied from nurse to nurse."
                ),
                options_considered=(
                    "1. Keep handover as it is, with reminders.\n"
                    "2. ISBAR at the bedside, with training and prompt cards.\n"
                    "3. An electronic handover sheet (not available until the new record system)."
                ),
                rationale=(
                    "ISBAR is supported by a systematic review and halved the handovers with "
                    "missing information in our own pilot without making handover longer. It "
                    "costs two training sessions and a card; the electronic sheet can adopt "
                    "the same structure later."
                ),
                evidence=[isbar],
            ),
            library_article=article,
            review_by=datetime.date.today() + datetime.timedelta(days=365),
        )
        _spread(proposal, 100)
        made.append("adopted")

    title = "A pharmacist-obtained medication history within 24 hours of admission"
    if not PracticeProposal.objects.filter(community=community, title=title).exists():
        proposal = propose_change(
            actor=steward,
            community=community,
            title=title,
            change=(
                "For every patient admitted with four or more regular medicines, a ward "
                "pharmacist takes a best possible medication history within 24 hours and "
                "reconciles it with the admission chart."
            ),
            summaries=[summaries[MEDREC]],
        )
        _move(full, proposal, ProposalStatus.UNDER_REVIEW, "Pharmacy can cover weekdays.")
        _move(
            steward,
            proposal,
            ProposalStatus.PILOTING,
            "Pilot on weekdays first, then decide about weekends.",
            pilot_plan=(
                "Weekday admissions to the ward for eight weeks, with one pharmacist from "
                "8 am to 4 pm. Weekend admissions are seen on Monday."
            ),
            pilot_measures=(
                "Share of eligible patients seen within 24 hours; unintended discrepancies "
                "found and corrected; pharmacist time per patient."
            ),
        )
        _spread(proposal, 30)
        made.append("piloting")

    title = "Bed and chair alarms for every patient at risk of falling"
    if not PracticeProposal.objects.filter(community=community, title=title).exists():
        falls = summaries[FALLS]
        proposal = propose_change(
            actor=people["colleagues"][0] if people["colleagues"] else full,
            community=community,
            title=title,
            change=(
                "Fit a bed or chair exit alarm for every patient whose falls risk "
                "assessment is high."
            ),
            summaries=[falls],
        )
        _move(steward, proposal, ProposalStatus.UNDER_REVIEW, "Discussed at the journal club.")
        _move(
            steward,
            proposal,
            ProposalStatus.DECLINED,
            "Declined at the ward meeting after the journal club.",
            decision=DecisionInput(
                context=(
                    "Falls rose over winter and a relative asked why the ward had no alarms. "
                    "The journal club appraised the Cochrane review of falls prevention."
                ),
                options_considered=(
                    "1. Alarms for every high-risk patient.\n"
                    "2. A multifactorial plan for each high-risk patient (medicines, "
                    "toileting, footwear, supervised mobility), with alarms only as one part "
                    "of a plan where the team judges it useful.\n"
                    "3. No change."
                ),
                rationale=(
                    "The review found the evidence for single interventions such as alarms "
                    "uncertain, while multifactorial programmes may reduce falls. Alarms "
                    "alone would add noise the nurses already find hard to answer. The ward "
                    "chose option 2 instead."
                ),
                evidence=[falls],
            ),
        )
        _spread(proposal, 20)
        made.append("declined")
    return made


def _proposed_edit(summary: EvidenceSummary, people) -> int:
    """A learner's pending edit to the medication summary, so reviewers have one to decide."""
    learner = people["learner"]
    if summary.proposed_edits.filter(proposer=learner).exists():
        return 0
    text = SummaryText.of(summary)
    edit = propose_edit(
        actor=learner,
        summary=summary,
        base_revision=summary.revision_count,
        text=replace(
            text,
            outcome=f"{text.outcome}, counted at 24 hours after admission",
            implications=(
                f"{text.implications}\n\nOn our ward, the pharmacist sees most admissions "
                "within a day; patients admitted on Friday evening wait until Monday, so the "
                "weekend is where omissions are most likely to be missed."
            ),
        ),
        edit_summary="Added when discrepancies were counted, and what it means for weekends",
    )
    return 1 if edit else 0


def seed() -> str:
    community = Community.objects.filter(slug="ward-care").first()
    if community is None:
        return "no ward-care community"
    EvidenceSettings.objects.get_or_create(
        community=community, defaults={"scale": EvidenceScale.NHMRC}
    )
    people = _people(community)
    event = _journal_club(community, people)
    summaries = _summaries(community, people, event)
    appraisals = _appraisals(summaries[FALLS], people)
    proposals = _proposals(community, people, summaries)
    edits = _proposed_edit(summaries[MEDREC], people)
    return (
        f"{len(summaries)} evidence summaries, {appraisals} new appraisals at "
        f"“{event.title}”, proposals: {', '.join(proposals) or 'already there'}, "
        f"{edits} new proposed edit"
    )
