"""The integration concept: versions of the catalogue of goals and measures, and
the dated status updates that make up a measure's Umsetzungsstand."""

from .catalogue import Concept, ConceptVersion, Goal, Measure, Responsibility, StatusUpdate

__all__ = ["Concept", "ConceptVersion", "Goal", "Measure", "Responsibility", "StatusUpdate"]
