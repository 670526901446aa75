from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "practica.insights"
    label = "insights"
