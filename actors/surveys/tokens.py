"""Personal survey links: ≥ 128 bits, only hashes stored, repeatable for reminders.

The token of an invitation is an HMAC of its ``uuid`` and random ``nonce``
(128 bits) under a key derived from ``SECRET_KEY``: a reminder repeats the
link without the token ever being stored, and someone who reads the database
alone cannot make a link. The database holds ``token_hash`` (SHA-256 of the
token) for the lookup. A response is keyed by a second derivation, so that
the invitation and the response rows share no value.

A link stays the same when ``SECRET_KEY`` is rotated as long as the old key
is kept in ``SECRET_KEY_FALLBACKS``: the link is looked up by its stored hash,
and a reminder re-derives it with whichever key made that hash.
"""

import hashlib
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

TOKEN_SALT = "actors.surveys.invitation-token"  # noqa: S105 (a salt, not a secret)
RESPONSE_SALT = "actors.surveys.response-key"
NONCE_BYTES = 16


def nonce_new() -> str:
    return secrets.token_hex(NONCE_BYTES)


def token_derive(*, uuid, nonce: str, secret: str | None = None) -> str:
    """The link token of an invitation: 256 bits as lowercase hex."""
    return salted_hmac(TOKEN_SALT, f"{uuid}:{nonce}", secret=secret, algorithm="sha256").hexdigest()


def invitation_token(invitation) -> str:
    """The token of ``invitation``'s link, as first mailed (tries the fallback keys).

    Raises ``LookupError`` when no configured key makes the stored hash, i.e. the
    key that made the link was removed.
    """
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        token = token_derive(uuid=invitation.uuid, nonce=invitation.nonce, secret=secret)
        if token_hash(token) == invitation.token_hash:
            return token
    raise LookupError("no key makes this invitation's token")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def response_key_hash(token: str) -> str:
    """The key of the response given through ``token``; unrelated to ``token_hash``."""
    # A different hash of the same secret token: without the token, neither
    # hash leads to the other.
    return hashlib.sha256(f"{RESPONSE_SALT}:{token}".encode()).hexdigest()


def token_looks_valid(token: str) -> bool:
    """Cheap check before any lookup: 64 lowercase hex characters."""
    return len(token) == 64 and all(char in "0123456789abcdef" for char in token)
