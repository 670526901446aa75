"""Settings for the processes a fault test starts: production settings, except that static
files are named without the collected manifest (collecting and compressing them takes
minutes on a busy machine, and these tests only need the pages' links to them)."""

from practica.settings import *  # noqa: F403
from practica.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
