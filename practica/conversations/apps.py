from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "practica.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from practica.conversations import trajectory

        trajectory.register()
