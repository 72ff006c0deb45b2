"""Checks behind /healthz: is each configured backing service reachable?"""

import logging

from django.conf import settings
from django.db import connection

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
    from integration.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception:  # kombu raises transport-specific errors; the log keeps them
        logger.exception("Health check: broker unreachable")
        return UNAVAILABLE
    return OK
