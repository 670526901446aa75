"""Watching threads and topics, and the notifications watchers get."""

from __future__ import annotations

from practica.communities.capabilities import Capability, require
from practica.conversations.models import Watch


def set_watching_thread(*, actor, thread, watching: bool) -> None:
    require(actor, Capability.READ, community=thread.community)
    if watching:
        Watch.objects.get_or_create(user=actor, thread=thread)
    else:
        Watch.objects.filter(user=actor, thread=thread).delete()


def set_watching_topic(*, actor, topic, watching: bool) -> None:
    require(actor, Capability.READ, community=topic.community)
    if watching:
        Watch.objects.get_or_create(user=actor, topic=topic)
    else:
        Watch.objects.filter(user=actor, topic=topic).delete()
