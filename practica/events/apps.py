from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "practica.events"
    label = "events"

    def ready(self) -> None:
        from practica.communities.models import CriterionKind
        from practica.communities.progression_sources import register_source
        from practica.events.services import events_attended

        register_source(CriterionKind.EVENTS_ATTENDED, events_attended)
