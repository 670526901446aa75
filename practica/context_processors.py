from django.conf import settings


def site(request):
    return {"site_name": "Practica", "demo_mode": settings.DEMO}
