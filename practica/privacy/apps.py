from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "practica.privacy"
    label = "privacy"
    verbose_name = "Privacy"
