"""Keep personal links out of logs.

A survey link's token is the key to a person's invitation and to their
answers; in an access log next to a time and an address it would undo the
anonymity of a survey. ``RedactSecretLinks`` rewrites log records of Django
(request warnings, runserver lines, error mails), ``GunicornLogger`` the
access log of the production server.
"""

import logging
import re

# /surveys/r/<64 hex>/… — see actors.surveys.tokens; a member's calendar feed
# /committees/calendar/personal/<64 hex>.ics — see minutes.services.calendars.
SECRET_LINK = re.compile(r"(/surveys/r/|/calendar/personal/)[0-9a-fA-F]{16,}")
REDACTED = r"\1[…]"


def redact(text: str) -> str:
    return SECRET_LINK.sub(REDACTED, text)


class RedactSecretLinks(logging.Filter):
    """Replace tokens in a record's message; drop the request of token pages from error mails."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        request = getattr(record, "request", None)
        if request is not None and SECRET_LINK.search(getattr(request, "path", "")):
            # The error mail would show the URL and the posted answers.
            record.request = None
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only installed where it serves
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logger with tokens removed from the access log's fields."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {
                key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()
            }
