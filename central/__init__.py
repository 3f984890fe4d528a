"""The central dossier service: the HTTP service that a commune center (or a province) runs.

Kiosks and counter staff talk to it only over HTTP (``/api/v1``; the OpenAPI document is at
``/openapi.json``). ``central.app.create_app(settings)`` builds the FastAPI application;
``central.embedded`` runs it in a background thread for ``kiosk demo`` and the tests; ``kiosk central
serve`` runs it for real. Storage is SQLAlchemy on SQLite (default) or PostgreSQL, with Alembic
migrations under ``central/migrations``.
"""
