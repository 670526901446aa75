from django.apps import AppConfig


class ReliabilityConfig(AppConfig):
    """Writes that happen once, a worker that stays up, health, backups."""

    name = "practica.reliability"
    label = "reliability"
    verbose_name = "Reliability"
