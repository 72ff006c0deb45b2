"""Models of the network, one module per concern; every model is importable from here."""

from .consent import Consent, PrivacyLogEntry, RetentionNotice
from .imports import ImportBatch
from .network import (
    Affiliation,
    Circle,
    CircleMembership,
    Language,
    Organisation,
    OrganisationQuerySet,
    Person,
    PersonQuerySet,
)

__all__ = [
    "Affiliation",
    "Circle",
    "CircleMembership",
    "Consent",
    "ImportBatch",
    "Language",
    "Organisation",
    "OrganisationQuerySet",
    "Person",
    "PersonQuerySet",
    "PrivacyLogEntry",
    "RetentionNotice",
]
