"""An SMTP server inside the test (aiosmtpd) that keeps what it accepts.

Used by the tests that follow a link out of a really delivered mail: the
``smtp_sink`` fixture (tests/conftest.py) starts one on a free port.
"""

import asyncio
import email
import socket
import threading
from collections import Counter
from email import policy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An SMTP server's handler that keeps every accepted mail.

    ``delay`` slows each mail down (a slow server). ``block_at`` makes the n-th
    mail wait, unanswered, until ``release`` is set, and then refuses it with a
    4xx: a mail the server never accepted.
    """

    def __init__(self, *, delay: float = 0.0, block_at: int | None = None):
        self.delay = delay
        self.block_at = block_at
        self.accepted: list[email.message.EmailMessage] = []
        self.blocked = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            number = len(self.accepted) + 1
        if number == self.block_at and not self.release.is_set():
            self.blocked.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            return "451 4.3.0 Try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.accepted.append(message)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.accepted)

    def recipients(self) -> Counter:
        with self._lock:
            return Counter(message["To"] for message in self.accepted)
