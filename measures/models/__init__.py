"""The integration concept: versions of the catalogue of goals and measures, the
dated status updates that make up a measure's Umsetzungsstand, funding,
positions and monitoring."""

from .catalogue import Concept, ConceptVersion, Goal, Measure, Responsibility, StatusUpdate
from .funding import FundingProgramme, Grant, GrantYear
from .monitoring import Indicator, Observation
from .positions import Position
from .reminders import StaleReminder

__all__ = [
    "Concept",
    "ConceptVersion",
    "FundingProgramme",
    "Goal",
    "Grant",
    "GrantYear",
    "Indicator",
    "Measure",
    "Observation",
    "Position",
    "Responsibility",
    "StaleReminder",
    "StatusUpdate",
]
