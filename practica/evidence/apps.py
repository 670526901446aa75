from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "practica.evidence"
    label = "evidence"
    verbose_name = "Evidence into practice"

    def ready(self) -> None:
        from practica.communities.models import CriterionKind
        from practica.communities.progression_sources import register_source
        from practica.evidence.services.appraisals import appraisals_contributed

        register_source(CriterionKind.APPRAISALS, appraisals_contributed)
