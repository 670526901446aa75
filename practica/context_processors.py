from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from practica.notifications.services import unread_count

    user = getattr(request, "user", None)
    return {
        "site_name": "Practica",
        "demo_mode": settings.DEMO,
        # Lazy: pages that never show the count never run its query.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)) if user else 0,
    }
