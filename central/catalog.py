"""The procedure catalog and the services of a center, seeded from ``assets/catalog``.

``seed`` is safe to run again: it adds what is missing and updates procedures in place, and never
touches tickets or dossiers. Searching folds Vietnamese diacritics, so ``ket hon`` finds ``Kết hôn``.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import Center, Counter, CounterService, Procedure, Service

CATALOG_DIR = Path(__file__).resolve().parent.parent / "assets" / "catalog"


def load_json(name: str, directory: Path | None = None) -> dict:
    return json.loads(((directory or CATALOG_DIR) / name).read_text(encoding="utf-8"))


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass
class SeedReport:
    center: str
    services_added: int = 0
    counters_added: int = 0
    procedures_added: int = 0
    procedures_updated: int = 0


def ensure_center(session: Session, code: str, name: str | None = None, directory: Path | None = None) -> SeedReport:
    """Create center ``code`` (if new) with the catalog's services and counters."""
    data = load_json("services.json", directory)
    report = SeedReport(center=code)
    if session.get(Center, code) is None:
        default_name = data["center"]["name"] if code == data["center"]["code"] else code
        session.add(Center(code=code, name=name or default_name))
        session.flush()
    services = {s.code: s for s in session.scalars(select(Service).where(Service.center_code == code))}
    for entry in data["services"]:
        if entry["code"] not in services:
            service = Service(center_code=code, code=entry["code"], name_vi=entry["name"]["vi"],
                              name_en=entry["name"]["en"], field=entry["field"], icon=entry.get("icon", ""),
                              default_minutes=entry.get("default_minutes", 10), active=True)
            session.add(service)
            services[entry["code"]] = service
            report.services_added += 1
    counters = {c.number: c for c in session.scalars(select(Counter).where(Counter.center_code == code))}
    for entry in data["counters"]:
        if entry["number"] not in counters:
            counter = Counter(center_code=code, number=entry["number"], name=entry.get("name", ""))
            session.add(counter)
            counters[entry["number"]] = counter
            report.counters_added += 1
    session.flush()
    links = set(tuple(row) for row in session.execute(
        select(CounterService.counter_id, CounterService.service_id)
        .join(Counter, Counter.id == CounterService.counter_id).where(Counter.center_code == code)
    ))
    for entry in data["services"]:
        for number in entry.get("counters", []):
            pair = (counters[number].id, services[entry["code"]].id)
            if pair not in links:
                session.add(CounterService(counter_id=pair[0], service_id=pair[1]))
                links.add(pair)
    session.flush()
    return report


def seed_procedures(session: Session, report: SeedReport, directory: Path | None = None) -> None:
    for entry in load_json("procedures.json", directory)["procedures"]:
        values = dict(
            field=entry["field"], name_vi=entry["name"]["vi"], name_en=entry["name"]["en"],
            service_code=entry["service"], processing_days=entry["processing_days"],
            fee_in_person=entry["fee"]["in_person"], fee_online=entry["fee"]["online"],
            details={
                "documents": entry["documents"],
                "fee_note": entry["fee"].get("note", {}),
                "result_methods": entry.get("result_methods", ["in_person"]),
                "legal_basis": entry.get("legal_basis", ""),
                "form": entry.get("form", []),
            },
            active=True,
        )
        existing = session.get(Procedure, entry["code"])
        if existing is None:
            session.add(Procedure(code=entry["code"], **values))
            report.procedures_added += 1
        else:
            changed = False
            for key, value in values.items():
                if getattr(existing, key) != value:
                    setattr(existing, key, value)
                    changed = True
            report.procedures_updated += changed
    session.flush()


def seed(db, center_code: str | None = None, directory: Path | None = None) -> SeedReport:
    code = center_code or load_json("services.json", directory)["center"]["code"]
    with db.write() as session:
        report = ensure_center(session, code, directory=directory)
        seed_procedures(session, report, directory)
    return report


def procedure_view(procedure: Procedure) -> dict:
    details = procedure.details or {}
    return {
        "code": procedure.code,
        "name": {"vi": procedure.name_vi, "en": procedure.name_en},
        "field": procedure.field,
        "service": procedure.service_code,
        "processing_days": procedure.processing_days,
        "fee": {"in_person": procedure.fee_in_person, "online": procedure.fee_online,
                "note": details.get("fee_note", {})},
        "documents": details.get("documents", []),
        "result_methods": details.get("result_methods", []),
        "legal_basis": details.get("legal_basis", ""),
        "form": details.get("form", []),
    }


def find_procedures(session: Session, field: str | None = None, query: str | None = None) -> list[dict]:
    stmt = select(Procedure).where(Procedure.active).order_by(Procedure.field, Procedure.code)
    if field:
        stmt = stmt.where(Procedure.field == field)
    procedures = list(session.scalars(stmt))
    if query:
        words = fold(query).split()
        procedures = [
            p for p in procedures
            if all(w in fold(f"{p.code} {p.name_vi} {p.name_en}") for w in words)
        ]
    return [procedure_view(p) for p in procedures]
