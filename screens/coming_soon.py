"""The "coming soon" screen: where a home tile leads while its task is not offered at this kiosk yet.

It names the task the citizen chose and sends them to the counter, with large back and home buttons.
"""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import N_
from screens.base import KioskScreen

DEFAULT_TITLE = N_("Coming soon")


class ComingSoonScreen(KioskScreen):
    icon = StringProperty("construction")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = DEFAULT_TITLE
        self.guidance = N_("This service is not available at this kiosk yet. Please ask at the counter.")

    def show(self, title: str = DEFAULT_TITLE, icon: str = "construction", **_params) -> None:
        self.title = title
        self.icon = icon

    def reset(self) -> None:
        self.show()
