"""The Celery app. Configuration lives in settings (namespace ``CELERY``).

Without ``CELERY_BROKER_URL`` the settings switch to eager mode, so tasks run
in-process and a laptop needs no Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "integration.settings")

app = Celery("integration")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
