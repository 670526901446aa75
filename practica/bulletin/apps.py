from django.apps import AppConfig


class BulletinConfig(AppConfig):
    name = "practica.bulletin"
    label = "bulletin"
