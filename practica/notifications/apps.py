from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "practica.notifications"
    label = "notifications"
