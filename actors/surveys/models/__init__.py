"""Needs surveys: the survey and its questions, the invitations with their mail
outbox, and the responses (see the README's "Surveys" section)."""

from .delivery import Invitation, Mail, ReminderRound
from .response import Answer, Response, ResponseDay
from .survey import Question, Survey

__all__ = [
    "Answer",
    "Invitation",
    "Mail",
    "Question",
    "ReminderRound",
    "Response",
    "ResponseDay",
    "Survey",
]
