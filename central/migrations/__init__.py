"""Alembic migrations of the central service; run them with ``kiosk central migrate``."""
