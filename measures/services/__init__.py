"""Writes and rules of the integration concept: versions, catalogue, status updates."""
