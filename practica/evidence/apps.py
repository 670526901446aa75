from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "practica.evidence"
    label = "evidence"
