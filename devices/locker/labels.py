"""Compartment labels from config: ``compartments=A1,A2,B1`` or the default 2 × 6 grid."""

from __future__ import annotations

import re

from devices.errors import DriverUnavailable

#: Two rows of six doors, as most small result lockers come.
DEFAULT_LABELS = tuple(f"{row}{col}" for row in "AB" for col in range(1, 7))
_LABEL = re.compile(r"^[A-Za-z0-9-]{1,8}$")


def parse_labels(value: str | None) -> list[str]:
    """The labels in ``value`` (comma-separated), or the default grid; ``DriverUnavailable`` if bad."""
    if value is None or not value.strip():
        return list(DEFAULT_LABELS)
    labels = [part.strip().upper() for part in value.split(",")]
    bad = [label for label in labels if not _LABEL.match(label)]
    if bad:
        raise DriverUnavailable(
            f"locker: compartments: labels must be 1 to 8 letters, digits or '-', got {', '.join(map(repr, bad))}"
        )
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise DriverUnavailable(f"locker: compartments: {', '.join(duplicates)} listed twice")
    return labels
