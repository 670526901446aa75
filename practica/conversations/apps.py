from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "practica.conversations"
    label = "conversations"
