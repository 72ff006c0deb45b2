"""Writes and rules of the surveys: building, recipients, delivery, answering."""
