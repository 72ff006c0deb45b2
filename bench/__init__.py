"""Benchmarks, run on demand (``make bench``); see README.md."""
