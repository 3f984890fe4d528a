"""The list of screens, and how a screen is built on first use.

A screen is ``screens/<module>.py`` (its class) plus ``screens/<module>.kv`` (its layout). The app
asks the registry for a screen by name; the registry imports the module, loads the .kv file once and
builds the screen the first time it is shown, so start-up stays fast and a broken screen breaks only
itself.

Every screen must be showable without parameters (``app.go(name)``), so back and home can be tested
from each of them. A task whose screen has not been written yet has no entry here: the home tile
leads to ``coming_soon`` until the entry is added.
"""

from __future__ import annotations

import importlib
from pathlib import Path

#: screen name -> (module, class)
SCREENS: dict[str, tuple[str, str]] = {
    "attract": ("screens.attract", "AttractScreen"),
    "home": ("screens.home", "HomeScreen"),
    "coming_soon": ("screens.coming_soon", "ComingSoonScreen"),
    "identify": ("screens.identify", "IdentifyScreen"),
    "ticket": ("screens.ticket_services", "TicketServicesScreen"),
    "ticket_search": ("screens.ticket_search", "TicketSearchScreen"),
    "ticket_confirm": ("screens.ticket_confirm", "TicketConfirmScreen"),
    "ticket_result": ("screens.ticket_result", "TicketResultScreen"),
    "ticket_status": ("screens.ticket_status", "TicketStatusScreen"),
    "digitize": ("screens.capture", "CaptureScreen"),
    "digitize_review": ("screens.review", "ReviewScreen"),
    "procedures": ("screens.procedures", "ProceduresScreen"),
    "procedure": ("screens.procedure", "ProcedureScreen"),
    "dossier_form": ("screens.dossier_form", "DossierFormScreen"),
    "dossier_documents": ("screens.dossier_documents", "DossierDocumentsScreen"),
    "dossier_review": ("screens.dossier_review", "DossierReviewScreen"),
    "dossier_slip": ("screens.dossier_slip", "DossierSlipScreen"),
    "lookup": ("screens.lookup", "LookupScreen"),
    "dossier_status": ("screens.dossier_status", "DossierStatusScreen"),
    "dossier_details": ("screens.dossier_details", "DossierDetailsScreen"),
    "dossier_pickup": ("screens.dossier_pickup", "DossierPickupScreen"),
    "rating": ("screens.rating", "RatingScreen"),
    "admin_pin": ("screens.admin_pin", "AdminPinScreen"),
    "admin": ("screens.admin_maintenance", "AdminMaintenanceScreen"),
}


class ScreenRegistry:
    def __init__(self, screens: dict[str, tuple[str, str]] | None = None):
        self._specs = dict(SCREENS if screens is None else screens)
        self._built: dict[str, object] = {}
        self._loaded_kv: set[str] = set()

    def names(self) -> list[str]:
        return list(self._specs)

    def __contains__(self, name: str) -> bool:
        return name in self._specs

    def built(self) -> dict[str, object]:
        """The screens built so far, by name."""
        return dict(self._built)

    def get(self, name: str, **kwargs):
        """The screen called ``name``, built now if this is its first use."""
        if name in self._built:
            return self._built[name]
        try:
            module_name, class_name = self._specs[name]
        except KeyError:
            raise KeyError(f"no screen named {name!r} (known: {', '.join(self._specs)})") from None
        module = importlib.import_module(module_name)
        self._load_kv(module)
        screen = getattr(module, class_name)(name=name, **kwargs)
        self._built[name] = screen
        return screen

    def _load_kv(self, module) -> None:
        from kivy.lang import Builder

        kv = str(Path(module.__file__).with_suffix(".kv"))
        if kv not in self._loaded_kv:
            if kv not in Builder.files:
                Builder.load_file(kv)
            self._loaded_kv.add(kv)
