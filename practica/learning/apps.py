from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "practica.learning"
    label = "learning"
