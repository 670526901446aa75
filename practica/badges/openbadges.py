"""The Open Badges 2.0 JSON-LD documents: Issuer Profile, BadgeClass and Assertion.

Every `id` is an absolute URL on this site (practica.site.absolute_url), so hosted verification
works: a verifier fetches the assertion's `id`, follows `badge` to the BadgeClass and
`issuer` to the Profile, all on one origin. Nothing points to another host except the
context IRI the specification requires.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse

from practica.badges.models import Assertion, BadgeClass, BadgeKind
from practica.badges.png import Design
from practica.site import absolute_url

CONTEXT = "https://w3id.org/openbadges/v2"
MODULE_COLOURS = ["#0f766e", "#7c3aed", "#be185d", "#1d4ed8", "#15803d", "#c2410c"]
STAGE_COLOURS = {20: "#1d4ed8", 30: "#0f766e", 40: "#b45309"}


def hash_identity(email: str, salt: str) -> str:
    """The hashed recipient identity: "sha256$" + hex sha256 of the address and salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def issuer_name() -> str:
    return getattr(settings, "BADGES_ISSUER_NAME", "Practica")


def issuer_email() -> str:
    return getattr(settings, "BADGES_ISSUER_EMAIL", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def issuer_profile() -> dict:
    return {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": absolute_url(reverse("badges:issuer-json")),
        "name": issuer_name(),
        "url": absolute_url("/"),
        "email": issuer_email(),
        "description": (
            f"{issuer_name()} hosts communities of practice. It awards badges for "
            "completing learning modules and for reaching a stage of a community's trajectory."
        ),
    }


def design_for(badge_class: BadgeClass) -> Design:
    if badge_class.kind == BadgeKind.STAGE:
        stage = badge_class.stage or 0
        return Design(STAGE_COLOURS.get(stage, "#0f766e"), "star", pips=max(0, stage // 10 - 1))
    return Design(MODULE_COLOURS[badge_class.pk % len(MODULE_COLOURS)], "check")


def badge_class_document(badge_class: BadgeClass) -> dict:
    """The BadgeClass at its hosted URL.

    A class of a community that is not public is reached only through an assertion that
    names its unguessable URL, so it says only what Open Badges requires: no link to pages
    a verifier can't read, no tags.
    """
    document = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": absolute_url(badge_class.hosted_json_url()),
        "name": badge_class.name,
        "description": badge_class.description,
        "image": absolute_url(badge_class.hosted_image_url()),
        "criteria": {"narrative": badge_class.criteria},
        "issuer": absolute_url(reverse("badges:issuer-json")),
    }
    if badge_class.is_public:
        document["criteria"]["id"] = absolute_url(badge_class.get_absolute_url())
        document["tags"] = [badge_class.get_kind_display()]
    return document


def assertion_document(assertion: Assertion) -> dict:
    """The hosted assertion; a revoked one says so, with the reason."""
    uid = assertion.uid
    document = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": absolute_url(reverse("badges:assertion-json", kwargs={"assertion_uid": uid})),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": assertion.salt,
            "identity": assertion.identity,
        },
        "badge": absolute_url(assertion.badge_class.hosted_json_url()),
        "verification": {"type": "hosted"},
        "issuedOn": iso(assertion.issued_on),
        "image": absolute_url(reverse("badges:assertion-image", kwargs={"assertion_uid": uid})),
    }
    if assertion.evidence:
        document["evidence"] = {"type": "Evidence", "narrative": assertion.evidence}
        document["narrative"] = assertion.evidence
    if assertion.is_revoked:
        document["revoked"] = True
        document["revocationReason"] = assertion.revocation_reason
    return document
