from django.apps import AppConfig
from django.db.models.signals import post_save


class CommunitiesConfig(AppConfig):
    name = "practica.communities"
    label = "communities"

    def ready(self) -> None:
        from practica.communities import signals
        from practica.communities.models import Community
        from practica.communities.progression import register_own_sources

        register_own_sources()
        post_save.connect(
            signals.create_default_rules,
            sender=Community,
            dispatch_uid="communities.create_default_rules",
        )
