"""The one helper that sends mail: plain text plus an HTML alternative."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def absolute_url(viewname: str, *args, **kwargs) -> str:
    """An absolute link built from ``SITE_URL``, never from the request's host header."""
    return settings.SITE_URL + reverse(viewname, args=args or None, kwargs=kwargs or None)


def email_send(
    *,
    template: str,
    context: dict,
    to: list[str],
    headers: dict[str, str] | None = None,
    connection=None,
) -> EmailMultiAlternatives:
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` in German and send them.

    Raises whatever the mail backend raises (SMTP errors); callers that retry
    decide which errors are transient.
    """
    context = {"site_url": settings.SITE_URL, "municipality": settings.MUNICIPALITY_NAME, **context}
    with translation.override("de"):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        subject = " ".join(subject.splitlines())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=to,
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return message
