from django.apps import AppConfig


class PracticaConfig(AppConfig):
    name = "practica"
    verbose_name = "Practica"

    def ready(self) -> None:
        from practica import forms

        forms.install()
