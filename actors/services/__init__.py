"""Writes and rules of the network, one module per concern.

``network``: organisations, people, affiliations, circles, memberships, consent.
Import from the module that holds a service (``from actors.services import network``).
"""
