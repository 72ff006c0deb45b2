"""How to read the mail server's errors: transient or permanent, and in words.

Beside ``emails.email_send``, for every sender that retries: survey mails and
reminders about stale measures. (The retention warning keeps its own, stricter
rule: any refused address is final there.)"""

import smtplib


def smtp_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = error.recipients.values()
        return "; ".join(f"{code} {decoded(message)}" for code, message in parts)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {decoded(error.smtp_error)}"
    return str(error) or type(error).__name__


def decoded(message) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


def is_permanent(error: Exception) -> bool:
    """Will the server refuse this mail again? Connection trouble, timeouts and 4xx are
    transient; an address refused with 5xx, a 5xx answer and any other SMTP error are not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # 450 (greylisting, mailbox busy) asks to come back later; 5xx is final.
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return False
    return isinstance(error, smtplib.SMTPException)


def breaks_connection(error: Exception) -> bool:
    """After this error the connection cannot carry the next mail: reopen it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421  # the server is closing the connection
    return True
