"""The procedures a citizen can read about and submit at the kiosk, grouped by field, searchable.

The kiosk carries its own copy of the catalog (``assets/catalog/procedures.json``), so the procedure
pages work offline. ``Catalog.refresh(client)`` takes the central service's list when it answers and
keeps the copy it had when it does not; the form of each procedure (the fields the citizen fills in
beyond the card) is the kiosk's and is kept from the bundled copy when the service's list has none.

Search folds Vietnamese diacritics on both sides (``khai sinh`` finds "Đăng ký khai sinh"): every word
typed must start a word of the procedure's name (in either language) or code. Names that begin with
what was typed come first, then names holding it as a phrase, then the rest.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kiosk.api.errors import CentralError
from kiosk.dossiers.errors import DossierError
from kiosk.i18n import N_

log = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
FIELD_KINDS = ("text", "date", "number", "choice", "phone")
#: Identity attributes a form field may be filled from (``kiosk.dossiers.forms.autofill``).
SOURCES = ("full_name", "date_of_birth", "sex", "id_number", "address", "old_id_number", "issue_date")

MSG_UNKNOWN_PROCEDURE = N_("This procedure is not offered here.")

#: Fields in the order the procedures screen shows them: (id, Material icon, name).
FIELDS = (
    ("civil_status", "family_restroom", N_("Civil status")),
    ("residence", "house", N_("Residence")),
    ("certification", "verified", N_("Certification")),
    ("land", "home_work", N_("Land and construction")),
    ("business", "storefront", N_("Household business")),
    ("social", "volunteer_activism", N_("Labour and social policy")),
)
OTHER_FIELD = ("other", "description", N_("Other procedures"))

_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """``"Đăng  ký"`` -> ``"dang ky"``: lowercase, without diacritics, đ as d, spaces collapsed."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _named(value: object, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or value.get("vi") or value.get("en") or "")
    return str(value or "")


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    name: dict[str, str]
    required: bool

    def title(self, language: str) -> str:
        return _named(self.name, language)


@dataclass(frozen=True)
class FormField:
    id: str
    label: dict[str, str]
    kind: str
    required: bool
    #: The identity attribute that fills it ("full_name", "date_of_birth", "sex", "id_number", "address").
    source: str | None
    choices: tuple[tuple[str, dict[str, str]], ...] = ()
    max_length: int = 80

    def title(self, language: str) -> str:
        return _named(self.label, language)

    def choice_title(self, value: str, language: str) -> str:
        for choice, label in self.choices:
            if choice == value:
                return _named(label, language)
        return value


@dataclass(frozen=True)
class Field:
    id: str
    icon: str
    #: A message id (``N_``).
    name: str


@dataclass(frozen=True)
class Procedure:
    code: str
    field: str
    service: str
    name: dict[str, str]
    processing_days: int
    fee_in_person: int
    fee_online: int
    fee_note: dict[str, str]
    documents: tuple[ChecklistItem, ...]
    form: tuple[FormField, ...]
    result_methods: tuple[str, ...]
    legal_basis: str
    #: The guidance clip's folder (``assets/guides/<code>/``), ``None`` when there is none.
    clip: Path | None

    def title(self, language: str) -> str:
        return _named(self.name, language)


# --- reading the JSON -------------------------------------------------------------------------------


def _form_field(entry: dict) -> FormField:
    kind = entry.get("kind", "text")
    if kind not in FIELD_KINDS:
        raise ValueError(f"form field {entry.get('id')!r}: kind must be one of {', '.join(FIELD_KINDS)}")
    source = entry.get("source")
    if source is not None and source not in SOURCES:
        raise ValueError(f"form field {entry.get('id')!r}: unknown source {source!r}")
    choices = tuple((str(c["value"]), dict(c["label"])) for c in entry.get("choices", []))
    if kind == "choice" and not choices:
        raise ValueError(f"form field {entry.get('id')!r}: a choice needs choices")
    return FormField(
        id=str(entry["id"]),
        label=dict(entry["label"]),
        kind=kind,
        required=bool(entry.get("required", True)),
        source=source,
        choices=choices,
        max_length=int(entry.get("max_length", 80)),
    )


def procedure_from(entry: dict, guides: Path | None = None, form: tuple[FormField, ...] | None = None) -> Procedure:
    """A procedure from the catalog's JSON (the bundled file or the central service's answer)."""
    code = str(entry["code"])
    fee = entry.get("fee") or {}
    clip = guides / code if guides is not None and (guides / code).is_dir() else None
    if form is None:
        form = tuple(_form_field(f) for f in entry.get("form", []))
    return Procedure(
        code=code,
        field=str(entry.get("field") or "other"),
        service=str(entry.get("service") or ""),
        name=dict(entry["name"]),
        processing_days=int(entry.get("processing_days", 0)),
        fee_in_person=int(fee.get("in_person", 0)),
        fee_online=int(fee.get("online", 0)),
        fee_note=dict(fee.get("note") or {}),
        documents=tuple(
            ChecklistItem(str(d["id"]), {k: str(d[k]) for k in ("vi", "en") if k in d}, bool(d.get("required", True)))
            for d in entry.get("documents", [])
        ),
        form=form,
        result_methods=tuple(entry.get("result_methods") or ("in_person",)),
        legal_basis=str(entry.get("legal_basis", "")),
        clip=clip,
    )


# --- the catalog ------------------------------------------------------------------------------------


class Catalog:
    def __init__(self, procedures: list[Procedure], guides: Path | None = None, cache: Path | None = None):
        self.guides = guides
        self.cache = cache
        self._lock = threading.Lock()
        self._set(procedures)

    @classmethod
    def load(cls, assets: Path | None = None, cache: Path | None = None) -> "Catalog":
        """The kiosk's bundled copy, overlaid with the last list the central service sent (``cache``)."""
        assets = Path(assets) if assets is not None else ASSETS_DIR
        data = json.loads((assets / "catalog" / "procedures.json").read_text(encoding="utf-8"))
        guides = assets / "guides"
        catalog = cls([procedure_from(entry, guides) for entry in data["procedures"]], guides, cache)
        if cache is not None and cache.is_file():
            try:
                catalog._merge(json.loads(cache.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as err:
                log.warning("cached procedure list not usable, using the bundled one: %s", type(err).__name__)
        return catalog

    def _set(self, procedures: list[Procedure]) -> None:
        with self._lock:
            self._procedures = {p.code: p for p in procedures}

    def _merge(self, entries: list[dict]) -> int:
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise ValueError("not a list of procedures")
        with self._lock:
            known = dict(self._procedures)
        procedures = []
        for entry in entries:
            old = known.get(str(entry.get("code")))
            keep_form = None if entry.get("form") else (old.form if old is not None else ())
            procedures.append(procedure_from(entry, self.guides, keep_form))
        self._set(procedures)
        return len(procedures)

    def refresh(self, client) -> bool:
        """Take the central service's list of procedures; ``False`` (the old list kept) when that fails."""
        try:
            entries = client.procedures()
        except CentralError as err:
            log.info("procedure list not refreshed: %s", err)
            return False
        try:
            count = self._merge(entries)
        except (ValueError, KeyError, TypeError) as err:
            log.warning("central service sent a procedure list the kiosk cannot use: %s", err)
            return False
        if self.cache is not None:
            try:
                self.cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.cache.with_suffix(".tmp")
                tmp.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
                tmp.replace(self.cache)
            except OSError as err:
                log.warning("procedure list not cached: %s", err.strerror)
        log.info("procedure list refreshed: %d procedures", count)
        return True

    @property
    def procedures(self) -> list[Procedure]:
        with self._lock:
            return list(self._procedures.values())

    def fields(self) -> list[Field]:
        """The fields that have procedures, in display order."""
        present = {p.field for p in self.procedures}
        known = [Field(*f) for f in FIELDS if f[0] in present]
        others = sorted(present - {f[0] for f in FIELDS})
        return known + [Field(f, OTHER_FIELD[1], OTHER_FIELD[2]) for f in others]

    def in_field(self, field: str) -> list[Procedure]:
        return [p for p in self.procedures if p.field == field]

    def get(self, code: str) -> Procedure:
        with self._lock:
            procedure = self._procedures.get(str(code).strip().upper())
        if procedure is None:
            raise DossierError(f"procedure {code!r} is not in the catalog", MSG_UNKNOWN_PROCEDURE,
                               code="unknown_procedure")
        return procedure

    def search(self, text: str, language: str = "vi", limit: int = 30) -> list[Procedure]:
        """Procedures where every word typed starts a word of a name (either language) or the code."""
        query = _words(text)
        if not query:
            return []
        phrase = " ".join(query)
        found = []
        for order, procedure in enumerate(self.procedures):
            names = [" ".join(_words(procedure.title(lang))) for lang in (language, "vi", "en")]
            code_words = _words(procedure.code)
            words = set(code_words) | {w for name in names for w in name.split()}
            if not all(any(w.startswith(q) for w in words) for q in query):
                continue
            own = names[0]
            if query == code_words:
                rank = 0
            elif own.startswith(phrase):
                rank = 1
            elif any(name.startswith(phrase) for name in names):
                rank = 2
            elif any(f" {phrase}" in f" {name}" for name in names):
                rank = 3
            else:
                rank = 4
            found.append((rank, len(own), order, procedure))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found[:limit]]
