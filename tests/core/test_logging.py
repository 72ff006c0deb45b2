"""Survey links never reach a log line or an error mail."""

import datetime
import logging

from django.test import RequestFactory

from integration.core.logging import GunicornLogger, RedactSecretLinks

TOKEN = "a" * 64
PATH = f"/surveys/r/{TOKEN}/"


def record(msg, *args, **extra) -> logging.LogRecord:
    entry = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    entry.__dict__.update(extra)
    return entry


def test_redact_filter_removes_the_token_from_the_message():
    entry = record("%s: %s", "Gone", PATH)
    assert RedactSecretLinks().filter(entry)
    assert entry.getMessage() == "Gone: /surveys/r/[…]/"
    assert TOKEN not in entry.getMessage()


def test_redact_filter_leaves_other_messages_alone():
    entry = record("%s: %s", "Not Found", "/network/people/12/")
    RedactSecretLinks().filter(entry)
    assert entry.getMessage() == "Not Found: /network/people/12/"


def test_redact_filter_drops_the_request_of_a_token_page_from_error_mails():
    request = RequestFactory().post(PATH, {"q1": "meine Antwort"})
    entry = record("Internal Server Error: %s", PATH, request=request)
    RedactSecretLinks().filter(entry)
    assert entry.request is None
    other = record("Internal Server Error: %s", "/", request=RequestFactory().get("/"))
    RedactSecretLinks().filter(other)
    assert other.request is not None


def test_every_configured_handler_redacts():
    # The project's logging (the test settings replace it with a quiet one).
    from integration import settings as project_settings

    config = project_settings.LOGGING
    for name, handler in config["handlers"].items():
        assert "redact_secret_links" in handler.get("filters", []), name
    # runserver's request lines go through them too, not through Django's default handler.
    assert config["loggers"]["django.server"]["handlers"] == ["console"]


def test_gunicorn_access_log_fields_are_redacted():
    class Config:
        access_log_format = '%(h)s "%(r)s" %(s)s'
        errorlog = "-"
        loglevel = "info"
        capture_output = False
        logconfig_dict = {}
        logconfig_json = None
        logconfig = None
        syslog = False
        accesslog = None
        disable_redirect_access_to_syslog = False
        user = 0
        group = 0
        env = {}
        secure_scheme_headers = {}
        forwarded_allow_ips = []

    logger = GunicornLogger.__new__(GunicornLogger)
    logger.cfg = Config()

    class Response:
        status = "200 OK"
        response_length = 10
        sent = 10
        headers = []

    class Request:
        headers = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": PATH,
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
    }
    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(seconds=0.1))
    assert TOKEN not in " ".join(str(value) for value in atoms.values())
    assert atoms["U"] == "/surveys/r/[…]/"
