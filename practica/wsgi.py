"""WSGI entry point, served by gunicorn through `practica serve`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
application = get_wsgi_application()
