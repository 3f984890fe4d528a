"""Benchmarks behind ``kiosk bench …``; each writes its own section of ``docs/BENCHMARKS.md``."""
