"""The counter page and lobby display: plain HTML, CSS and JavaScript served by ``central.routes.pages``."""
