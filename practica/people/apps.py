from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "practica.people"
    label = "people"
