"""Writes and rules of the network, one module per concern.

``network``: organisations, people, affiliations, circles, memberships, consent.
``merge``: merging duplicate people. ``transfer``: the import.
``privacy``: data export and erasure (DSGVO). ``retention``: the daily retention job.
Import from the module that holds a service (``from actors.services import network``).
"""
