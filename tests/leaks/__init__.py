"""The leak matrix (tests/test_leaks.py): its world of sentinels and its route rules."""
