"""Một Cửa Kiosk core: configuration, domain, use cases, API client and outbox.

Nothing in this package imports Kivy; it runs in a plain interpreter and in tests without a window.
"""

__version__ = "0.1.0"
