from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "practica.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        from practica.communities.models import CriterionKind
        from practica.communities.progression_sources import register_source
        from practica.learning.progression import assessment_passed

        # Criteria name the assessment by its slug in Criterion.assessment_ref.
        register_source(CriterionKind.ASSESSMENT_PASSED, assessment_passed)
