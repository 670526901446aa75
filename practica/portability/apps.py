from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "practica.portability"
    label = "portability"
    verbose_name = "Moving communities in and out"
    default_auto_field = "django.db.models.BigAutoField"
