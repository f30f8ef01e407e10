"""Per-source field mappings: turn each source's contact fields into the canonical contact fields.

Configured in config/mappings.yaml (rename, split, join, collect, defaults per source); sources
without a mapping pass through unchanged. Pure: only `load_mappings` reads a file; applying a
mapping never raises and never drops a field (unmapped keys stay as they are and later become
attributes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agents.core.mapping_config import MappingConfig, SourceMapping  # re-exported: the configuration model


def load_mappings(path: str | Path) -> MappingConfig:
    """Load and validate config/mappings.yaml.

    Args:
        path: Path of the mappings YAML file.

    Returns:
        The frozen mapping configuration.

    Raises:
        OSError: The file cannot be read.
        pydantic.ValidationError: The file does not match `MappingConfig`.
    """
    return MappingConfig.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def map_contact(source: str, contact: dict[str, Any], config: MappingConfig) -> dict[str, Any]:
    """Apply the source's mapping to a contact dict (identity for unknown sources).

    Order: split, join, collect, rename, defaults. A renamed field never overwrites a value
    already present under the canonical name; the source key is then kept as it was.

    Args:
        source: The event's source (`erp`, `shop`, ...).
        contact: Contact fields as received.
        config: The mapping configuration.

    Returns:
        A new dict with canonical field names (the input is not modified).
    """
    mapping = config.sources.get(source)
    if mapping is None:
        return contact
    if not (mapping.split or mapping.join or mapping.collect):
        mapped = _renamed(contact, mapping.rename)
    else:
        mapped = _restructured(contact, mapping)
    if mapping.defaults:  # few sources have defaults
        for field, default in mapping.defaults.items():
            if not _present(mapped.get(field)):
                mapped[field] = default
    return mapped


def _renamed(contact: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    """`_restructured` for a mapping that only renames (most sources): one pass, same order.

    Keys that are not renamed come first, in input order (they cannot collide: dict keys are
    unique), then each renamed key in input order, under its target unless that target already
    holds a present value.

    When no target is among the kept keys and no two keys share a target (nearly every event),
    every renamed value lands under its target whatever the values are: one loop sorts the keys
    into the kept ones and the renamed ones, and the two dicts are joined. Otherwise the values
    decide (`_renamed_with_collisions`).
    """
    if rename.keys().isdisjoint(contact):  # nothing to rename (half the events): one C-level test
        return contact.copy()
    mapped: dict[str, Any] = {}
    renamed: dict[str, Any] = {}
    for key, value in contact.items():
        target = rename.get(key)  # targets are str, never None
        if target is None:
            mapped[key] = value
        elif target in renamed:
            return _renamed_with_collisions(contact, rename)  # two keys share a target
        else:
            renamed[target] = value
    if not mapped.keys().isdisjoint(renamed):
        return _renamed_with_collisions(contact, rename)  # a target is also a kept key
    mapped.update(renamed)
    return mapped


def _renamed_with_collisions(contact: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    """`_renamed` when targets collide: each renamed value in input order, never overwriting."""
    mapped = contact.copy()
    moved = list(filter(rename.__contains__, contact))
    values = list(map(mapped.pop, moved))
    for key, value in zip(moved, values, strict=True):
        target = rename[key]
        if _present(mapped.get(target)):
            mapped.setdefault(key, value)  # never overwrite: keep the source's key as an attribute
        else:
            mapped[target] = value
    return mapped


def _restructured(contact: dict[str, Any], mapping: SourceMapping) -> dict[str, Any]:
    """Split, join, collect and rename (without defaults); see `map_contact`."""
    consumed: set[str] = set()
    mapped: dict[str, Any] = {}
    for field, rule in mapping.split.items():
        value = contact.get(field)
        if isinstance(value, str) and rule.separator in value:
            parts = [part.strip() for part in value.split(rule.separator, len(rule.into) - 1)]
            mapped.update({target: part for target, part in zip(rule.into, parts, strict=False) if part})
            consumed.add(field)
        elif isinstance(value, str) and value.strip():
            mapped["full_name"] = value
            consumed.add(field)
    for target, fields in mapping.join.items():
        parts = [
            str(contact[field]).strip()
            for field in fields
            if isinstance(contact.get(field), str | int) and _present(contact.get(field))
        ]
        consumed.update(field for field in fields if field in contact)
        if parts:
            mapped[target] = " ".join(parts)
    for target, fields in mapping.collect.items():
        values: list[Any] = []
        for field in fields:
            value = contact.get(field)
            if field in contact:
                consumed.add(field)
            if isinstance(value, list):
                values.extend(item for item in value if _present(item))
            elif _present(value):
                values.append(value)
        if values:
            mapped[target] = values
    remaining = [(key, value) for key, value in contact.items() if key not in consumed]
    for key, value in remaining:
        if key not in mapping.rename:
            mapped.setdefault(key, value)
    for key, value in remaining:
        if key not in mapping.rename:
            continue
        target = mapping.rename[key]
        if _present(mapped.get(target)):
            mapped.setdefault(key, value)  # never overwrite: keep the source's key as an attribute
        else:
            mapped[target] = value
    return mapped
