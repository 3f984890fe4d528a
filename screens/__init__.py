"""The kiosk's touch screens (Kivy): the app shell, one module and one .kv file per screen.

Nothing in ``kiosk/`` imports this package; the screens receive the ``Kiosk`` built by
``kiosk.wiring.build`` and call into it.
"""
