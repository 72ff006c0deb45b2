"""The committee documents as PDF bytes: invitation, meeting packet
(Sitzungsmappe), minutes (Niederschrift) and Beschlusskontrolle, plus the
fingerprint inputs of the packet. Pure functions of the database state; the
document machinery (integration/documents) stores, fingerprints and serves them."""

from . import kinds  # noqa: F401  (registers the document kinds on discovery)
from .common import MEMBERS, PUBLIC, TEMPLATE_VERSION, DocumentUnavailableError
from .fingerprint import packet_fingerprint_inputs
from .invitation import invitation_pdf
from .minutes import minutes_pdf
from .packet import PacketResult, TocEntry, packet_pdf
from .task_control import task_control_pdf

__all__ = [
    "MEMBERS",
    "PUBLIC",
    "TEMPLATE_VERSION",
    "DocumentUnavailableError",
    "PacketResult",
    "TocEntry",
    "invitation_pdf",
    "minutes_pdf",
    "packet_fingerprint_inputs",
    "packet_pdf",
    "task_control_pdf",
]
