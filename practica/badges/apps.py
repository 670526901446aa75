from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "practica.badges"
    label = "badges"
    verbose_name = "Open Badges"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from practica.badges.signals import award_stage_badge
        from practica.communities.models import StageChange

        # Reaching a stage is recorded by the communities app; badges follow it loosely.
        post_save.connect(
            award_stage_badge, sender=StageChange, dispatch_uid="badges-award-stage-badge"
        )
