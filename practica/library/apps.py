from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "practica.library"
    label = "library"
