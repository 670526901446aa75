"""The steward's settings page: details, charter, stage labels, topics and the grid."""

import pytest
from django.urls import reverse

from practica.communities.capabilities import (
    DEFAULT_MINIMUM_STAGE,
    Capability,
    can,
    minimum_stage,
)
from practica.communities.forms import configurable_capabilities
from practica.communities.models import CapabilityOverride, Community, Topic, Visibility
from practica.communities.stages import Stage
from practica.tests.factories import CommunityFactory, MembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward_client(client, community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    client.force_login(steward)
    return client


def url(community):
    return reverse("communities:settings", args=[community.slug])


def grid(**changes):
    data = {"section": "capabilities"}
    data.update({c.value: str(DEFAULT_MINIMUM_STAGE[c]) for c in configurable_capabilities()})
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_settings_page_shows_every_section_and_the_whole_grid(steward_client, community):
    html = steward_client.get(url(community)).content.decode()
    for heading in ("Details and charter", "Stage labels", "Topics", "Who may do what"):
        assert heading in html
    for capability in configurable_capabilities():
        assert f'name="{capability.value}"' in html
    # Below-floor choices are offered but disabled: configure can't go to learners.
    assert (
        'id="cap-configure-10" aria-label="Configure the community: from Learner" disabled' in html
    )
    assert (
        'id="cap-configure-30"' in html
        and 'id="cap-configure-30" aria-label="Configure the community: from Full member" disabled'
        not in html
    )


def test_saving_details_renders_and_sanitises_the_charter(steward_client, community):
    response = steward_client.post(
        url(community),
        {
            "section": "general",
            "name": "Renamed",
            "tagline": "A new line",
            "charter": "## Our domain\n\n<script>alert(1)</script> **bold**",
            "visibility": "private",
            "join_policy": "invite",
        },
        follow=True,
    )
    assert "The community’s details are saved" in response.content.decode()
    community.refresh_from_db()
    assert (community.name, community.visibility, community.join_policy) == (
        "Renamed",
        Visibility.PRIVATE,
        "invite",
    )
    assert "<h2>Our domain</h2>" in community.charter_html
    assert "<script>" not in community.charter_html
    assert "<strong>bold</strong>" in community.charter_html


def test_invalid_details_keep_what_was_typed_and_change_nothing(steward_client, community):
    old_name = community.name
    response = steward_client.post(
        url(community),
        {
            "section": "general",
            "name": "",
            "tagline": "Kept tagline",
            "charter": "Kept charter",
            "visibility": "organisation",
            "join_policy": "sometimes",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kept tagline" in html and "Kept charter" in html
    assert "Choose how people join" in html
    community.refresh_from_db()
    assert community.name == old_name


def test_organisation_only_without_an_organisation_is_refused_beside_the_field(
    steward_client, community
):
    response = steward_client.post(
        url(community),
        {"section": "general", "name": "X", "visibility": "organisation", "join_policy": "open"},
    )
    assert response.status_code == 400
    assert "belong to an organisation" in response.content.decode()
    community.refresh_from_db()
    assert community.visibility == Visibility.PUBLIC


def test_stage_labels_rename_and_blank_goes_back_to_the_default(steward_client, community):
    steward_client.post(
        url(community),
        {
            "section": "labels",
            "stage_10": "Newcomer",
            "stage_20": "",
            "stage_30": "Practitioner",
            "stage_40": "Steward",
        },
    )
    community.refresh_from_db()
    assert community.stage_labels == {"10": "Newcomer", "30": "Practitioner"}
    assert community.stage_label(Stage.PARTICIPANT) == "Participant"
    home = steward_client.get(community.get_absolute_url()).content.decode()
    assert "Newcomer" in home and "Practitioner" in home


def test_duplicate_stage_labels_are_refused(steward_client, community):
    response = steward_client.post(
        url(community),
        {
            "section": "labels",
            "stage_10": "Member",
            "stage_20": "member",
            "stage_30": "",
            "stage_40": "",
        },
    )
    assert response.status_code == 400
    assert "Each stage needs its own label" in response.content.decode()
    community.refresh_from_db()
    assert community.stage_labels == {}


def test_topics_add_rename_and_remove(steward_client, community):
    steward_client.post(url(community), {"section": "topic-add", "name": "Wound care"})
    topic = Topic.objects.get(community=community)
    assert topic.slug == "wound-care"
    steward_client.post(
        url(community),
        {"section": "topic-rename", "topic_id": topic.pk, "name": "Wound and skin care"},
    )
    topic.refresh_from_db()
    assert (topic.name, topic.slug) == ("Wound and skin care", "wound-care")
    steward_client.post(url(community), {"section": "topic-remove", "topic_id": topic.pk})
    assert not Topic.objects.filter(community=community).exists()


def test_a_duplicate_topic_name_is_refused_with_the_typed_name_kept(steward_client, community):
    TopicFactory(community=community, name="Handover", slug="handover")
    other = TopicFactory(community=community, name="Falls", slug="falls")
    response = steward_client.post(url(community), {"section": "topic-add", "name": "handover"})
    assert "There is already a topic called" in response.content.decode()
    response = steward_client.post(
        url(community), {"section": "topic-rename", "topic_id": other.pk, "name": "Handover"}
    )
    assert response.status_code == 400
    assert 'value="Handover"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Falls"
    assert Topic.objects.filter(community=community).count() == 2


def test_a_topic_of_another_community_cannot_be_touched(steward_client, community):
    foreign = TopicFactory(community=CommunityFactory())
    response = steward_client.post(
        url(community), {"section": "topic-remove", "topic_id": foreign.pk}
    )
    assert response.status_code == 404
    assert Topic.objects.filter(pk=foreign.pk).exists()


def test_the_grid_writes_overrides_and_takes_effect_at_once(steward_client, community):
    learner = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    assert not can(learner, Capability.START_DISCUSSION, community=community)
    response = steward_client.post(
        url(community),
        grid(start_discussion=Stage.PERIPHERAL, moderate=Stage.FULL),
        follow=True,
    )
    assert "Who may do what is saved" in response.content.decode()
    overrides = dict(community.capability_overrides.values_list("capability", "minimum_stage"))
    assert overrides == {"start_discussion": 10, "moderate": 30}
    community = Community.objects.get(pk=community.pk)  # a fresh request's view of it
    assert can(learner, Capability.START_DISCUSSION, community=community)
    assert minimum_stage(community, Capability.MODERATE) == Stage.FULL
    html = steward_client.get(url(community)).content.decode()
    assert (
        'id="cap-start_discussion-10" aria-label="Start discussions: from Learner" checked' in html
    )
    # Back to the default removes the row rather than storing the default.
    steward_client.post(url(community), grid())
    assert not community.capability_overrides.exists()


def test_a_forged_grid_below_the_floor_is_refused_and_changes_nothing(steward_client, community):
    response = steward_client.post(url(community), grid(configure=Stage.PERIPHERAL, moderate=20))
    assert response.status_code == 400
    assert "can’t go below Full member" in response.content.decode()
    assert not CapabilityOverride.objects.filter(community=community).exists()


def test_a_forged_grid_value_that_is_no_stage_is_refused(steward_client, community):
    response = steward_client.post(url(community), grid(reply="99"))
    assert response.status_code == 400
    assert "Choose one of the stages" in response.content.decode()
    assert not CapabilityOverride.objects.exists()


def test_an_unknown_section_changes_nothing(steward_client, community):
    response = steward_client.post(url(community), {"section": "drop-tables"}, follow=True)
    assert "not one this page knows" in response.content.decode()


def test_the_add_topic_field_has_its_own_id_and_label(steward_client, community):
    html = steward_client.get(url(community)).content.decode()
    assert html.count('id="id_name"') == 1
    assert 'for="new-topic-name"' in html and 'id="new-topic-name"' in html
