"""Checks behind /healthz: is each configured backing service reachable?"""

import logging

from django.conf import settings
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not configured"


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down"; the detail goes to the log only
        logger.exception("Health check: database unreachable")
        return UNAVAILABLE
    return OK


def broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return NOT_CONFIGURED
    try:
        # A fresh connection each time: a pooled one could hide an outage.
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    except Exception:  # kombu raises transport-specific errors; the log keeps them
        logger.exception("Health check: broker unreachable")
        return UNAVAILABLE
    return OK
