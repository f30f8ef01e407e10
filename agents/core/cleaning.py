"""The pure cleaning pipeline: raw Kafka payload -> `Cleaned` (normalized + quality) or `Rejected`.

Order: size check -> JSON parse and envelope validation (`model_validate_json`; a careful
second look only to explain a failure) -> per-source field mapping -> normalization ->
rules -> quality report. Every failing rule is reported, not just the first. `contact.deleted`
events skip required-field rules and are never rejected for their contact content (an erasure
needs only a valid envelope); such findings become warnings.

Pure: no I/O, no clock (`now` is passed in), no logging; never raises on any input.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal, NamedTuple

import orjson
from pydantic import ValidationError

from agents.core.mapping import MappingConfig, load_mappings, map_contact
from agents.core.normalize.addresses import normalize_postcode, normalize_street
from agents.core.normalize.companies import normalize_company
from agents.core.normalize.countries import normalize_country
from agents.core.normalize.dates import normalize_birth_date
from agents.core.normalize.emails import normalize_email
from agents.core.normalize.names import normalize_name
from agents.core.normalize.phones import normalize_phone
from agents.core.normalize.text import Note, fold_text, new_tuple
from agents.core.quality import quality_report
from agents.core.rules import (
    RuleBook,
    load_rules,
    missing_required,
    phone_rule_notes,
    resolve_picklist,
    resolve_state,
    seniority_of,
)
from schemas.events import CONTACT_FIELDS, ContactChangeEvent, EventType
from schemas.outputs import RejectedEvent
from schemas.records import Fix, Issue, NormalizedContact, Phone, QualityReport, Severity, validated

_CANONICAL = frozenset(CONTACT_FIELDS)
_SUGGESTION_CODES = frozenset({"country_fuzzy_corrected", "picklist_fuzzy_corrected"})
# Enum members read per event, bound once (a class attribute of an Enum is a slow lookup).
_REJECT = Severity.REJECT
_DELETED = EventType.DELETED
_NO_FIELDS: frozenset[str] = frozenset()
_TEXT_TYPES = frozenset({str, type(None)})

# `ContactChangeEvent.model_validate_json` without its Python wrapper (the model's own
# validator, the same checks); output models are built with `schemas.records.validated`.
_validate_event_json = ContactChangeEvent.__pydantic_validator__.validate_json


@dataclass(frozen=True, eq=False)
class CleaningConfig:
    """Everything `clean_event` needs, built once at startup from the YAML files.

    Attributes:
        rules: The rule book (config/rules.yaml plus prebuilt lookup tables).
        mappings: Per-source field mappings (config/mappings.yaml).
    """

    rules: RuleBook
    mappings: MappingConfig

    @property
    def max_payload_bytes(self) -> int:
        """Largest accepted payload; larger ones are rejected with `payload_too_large`."""
        return self.rules.config.max_payload_bytes


def load_cleaning_config(rules_path: str | Path, mappings_path: str | Path) -> CleaningConfig:
    """Load both configuration files once (call at startup; the result is shared read-only).

    Args:
        rules_path: Path of config/rules.yaml.
        mappings_path: Path of config/mappings.yaml.

    Returns:
        The frozen cleaning configuration.

    Raises:
        OSError: A file cannot be read.
        pydantic.ValidationError: A file does not match its model.
    """
    return CleaningConfig(rules=load_rules(rules_path), mappings=load_mappings(mappings_path))


@dataclass(frozen=True, slots=True)
class PayloadOrigin:
    """Where a payload was read from (copied into dead letters)."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


class Cleaned(NamedTuple):
    """An accepted event (a NamedTuple: built once per event, cheaper than a frozen dataclass).

    Attributes:
        event: The parsed input event (contact as received, before mapping).
        contact: The mapped and normalized contact.
        quality: Fixes, warnings, completeness and score.
    """

    event: ContactChangeEvent
    contact: NormalizedContact
    quality: QualityReport


@dataclass(frozen=True, slots=True)
class Rejected:
    """A rejected event: the dead letter to publish, with the original payload and every reason."""

    event: RejectedEvent


class _Findings:
    """Collects rule findings for one event while it is normalized.

    A plain slotted class: one is built per event, and literal lists are cheaper than a
    dataclass's default factories.
    """

    __slots__ = ("book", "erasure", "reasons", "warnings", "fixes")

    def __init__(self, book: RuleBook, erasure: bool) -> None:
        self.book = book
        self.erasure = erasure
        self.reasons: list[Issue] = []
        self.warnings: list[Issue] = []
        self.fixes: list[Fix] = []

    def add(self, note: Note, default_field: str) -> None:
        target = note.field or default_field
        if note.applied:
            self.fixes.append(
                validated(Fix, {"code": note.code, "field": target, "before": note.before, "after": note.after})
            )
            return
        if note.after is None:
            detail = ""
        elif note.code == "email_typo_domain":  # name the domain only, never the mailbox
            detail = f"suggested domain {str(note.after).rpartition('@')[2]}"
        elif note.code in _SUGGESTION_CODES:
            detail = f"suggested {note.after}"
        else:
            detail = str(note.after)
        issue = self.book.issue(note.code, target, detail)
        self.add_issue(issue)

    def add_issue(self, issue: Issue) -> None:
        if issue.severity is _REJECT and not self.erasure:
            self.reasons.append(issue)
        elif issue.severity is _REJECT:
            self.warnings.append(issue.model_copy(update={"severity": Severity.WARN}))
        else:
            self.warnings.append(issue)


def clean_event(
    payload: bytes, *, config: CleaningConfig, origin: PayloadOrigin | None = None, now: datetime
) -> Cleaned | Rejected:
    """Validate, map, normalize and check one raw event. Never raises.

    Args:
        payload: The Kafka message value, as received.
        config: The cleaning configuration (built once with `load_cleaning_config`).
        origin: Topic/partition/offset of the message, copied into a dead letter.
        now: Processing time (also "today" for birth-date checks); timezone-aware.

    Returns:
        `Cleaned` with the normalized contact and quality report, or `Rejected` with a
        `RejectedEvent` carrying the original payload and every reason.
    """
    if len(payload) > config.rules.config.max_payload_bytes:  # the property, minus its call
        issue = config.rules.issue(
            "payload_too_large", "_payload", f"{len(payload)} > {config.max_payload_bytes} bytes"
        )
        return _reject(payload, [issue], None, origin, now)
    try:
        event: ContactChangeEvent = _validate_event_json(payload)
    except ValidationError as error:
        envelope = _careful_parse(payload)
        return _reject(payload, _envelope_issues(payload, error, envelope, config.rules), envelope, origin, now)
    findings = _Findings(config.rules, event.event_type is _DELETED)
    contact = _normalize_contact(map_contact(event.source, event.contact, config.mappings), findings, now)
    if not findings.erasure:
        for issue in missing_required(
            contact,
            event.record_type._value_,  # the plain attribute: `.value` is a Python-level property
            config.rules,
            # The fields that already failed are those of the reasons so far.
            _normalized_names({issue.field for issue in findings.reasons}) if findings.reasons else _NO_FIELDS,
        ):
            findings.add_issue(issue)
    if findings.reasons:
        ids = {"event_id": event.event_id, "source": event.source, "external_id": event.external_id}
        return _reject(payload, findings.reasons, ids, origin, now)
    # Most events have no findings: `()` directly instead of two `tuple([])` calls.
    fixes = tuple(findings.fixes) if findings.fixes else ()
    warnings = tuple(findings.warnings) if findings.warnings else ()
    return new_tuple(Cleaned, (event, contact, quality_report(contact, fixes, warnings)))


def _normalized_names(fields: set[str]) -> frozenset[str]:
    """Input field names -> the normalized fields they feed (for required-group suppression)."""
    if not fields:
        return frozenset()
    names = set(fields)
    if fields & {"email", "emails"}:
        names.add("emails")
    if fields & {"phone", "phones"}:
        names.add("phones")
    if fields & {"full_name", "first_name", "last_name", "middle_name"}:
        names.update({"full_name", "given_name", "family_name"})
    return frozenset(names)


_SCALAR_FIELDS = _CANONICAL - {"emails", "phones"}

TextOf = Callable[[str], str | None]
"""A contact field's value as text (see `_text_getter`)."""


def _text_getter(contact: dict[str, Any], findings: _Findings) -> TextOf:
    """`name -> _text(contact, findings, name)`, as the plain `contact.get` when that is the same.

    When every canonical scalar field is text or absent (nearly every event), `_text` would
    return `contact.get(name)` and record nothing, so the dict's own `get` is used. The common
    case "every value is text or null" is checked in C first.
    """
    if _TEXT_TYPES.issuperset(map(type, contact.values())):
        return contact.get
    for key, value in contact.items():
        if value is not None and not isinstance(value, str) and key in _SCALAR_FIELDS:
            return partial(_text, contact, findings)
    return contact.get


def _text(contact: dict[str, Any], findings: _Findings, name: str) -> str | None:
    """A scalar contact value as text; lists/objects/booleans are a `field_type` finding."""
    value = contact.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    findings.add(Note("field_type", after=type(value).__name__), name)
    return None


def _texts(
    contact: dict[str, Any], single: str, plural: str, findings: _Findings, text_of: TextOf
) -> list[tuple[str, str]] | tuple[tuple[str, str], ...]:
    """(field, text) pairs of a single field plus its list field (`email` + `emails`), in order."""
    if plural not in contact:  # most events: the single field only
        return ((single, text),) if (text := text_of(single)) else ()
    values = [(single, text)] if (text := text_of(single)) else []
    items = contact.get(plural)
    if items is None:
        return values
    if isinstance(items, str | int | float) and not isinstance(items, bool):
        items = [items]
    if not isinstance(items, list):
        findings.add(Note("field_type", after=type(items).__name__), plural)
        return values
    for item in items:
        if isinstance(item, str):
            values.append((plural, item))
        elif isinstance(item, int | float) and not isinstance(item, bool):
            values.append((plural, str(item)))
        elif item is not None:
            findings.add(Note("field_type", after=type(item).__name__), plural)
    return values


def _folded(text: str | None) -> str | None:
    """`fold_text` of a free-text field, None when absent or blank."""
    return (fold_text(text) or None) if text else None


def _normalize_contact(contact: dict[str, Any], findings: _Findings, now: datetime) -> NormalizedContact:
    book = findings.book
    text_of = _text_getter(contact, findings)
    country = None
    if raw_country := text_of("country"):
        apply_fuzzy = "country_fuzzy_corrected" in book.fix_codes
        result = normalize_country(raw_country, book.country_index, apply_fuzzy=apply_fuzzy)
        country = result.value
        for note in result.notes:
            findings.add(note, "country")

    name = normalize_name(
        text_of("full_name"),
        first_name=text_of("first_name"),
        middle_name=text_of("middle_name"),
        last_name=text_of("last_name"),
    )
    for note in name.notes:
        findings.add(note, "full_name")

    emails: list[str] = []
    fix_typos = "email_typo_domain" in book.fix_codes
    for source_field, raw_email in _texts(contact, "email", "emails", findings, text_of):
        email = normalize_email(raw_email, policy=book.typo_policy, fix_typos=fix_typos)
        for note in email.notes:
            findings.add(note, source_field)
        if email.value and email.value not in emails:
            emails.append(email.value)

    phones: list[Phone] = []
    seen_e164: set[str] = set()
    for source_field, raw_phone in _texts(contact, "phone", "phones", findings, text_of):
        phone = normalize_phone(raw_phone, country)
        for note in phone_rule_notes(phone, country, book):
            findings.add(note, source_field)
        if phone.phone is not None and phone.phone.e164 not in seen_e164:
            seen_e164.add(phone.phone.e164)
            phones.append(phone.phone)

    company = normalize_company(text_of("company") or "")
    job_title = _folded(text_of("job_title"))
    postcode = None
    if raw_postcode := text_of("postcode"):
        postcode_result = normalize_postcode(raw_postcode, country)
        postcode = postcode_result.value
        for note in postcode_result.notes:
            findings.add(note, "postcode")
    birth_date = None
    if raw_birth_date := text_of("birth_date"):
        date_result = normalize_birth_date(
            raw_birth_date,
            today=now.date(),
            country=country,
            month_first_countries=book.config.dates.month_first_countries,
        )
        birth_date = date_result.value
        for note in date_result.notes:
            findings.add(note, "birth_date")
    # The model's own validator (`validated`), given one dict. A field whose value would be its
    # default (None, or an empty tuple or dict) is left out, so the validator takes the default
    # instead of looking the key up and validating None (the same model, cheaper). Findings are
    # recorded in field order, as before: `state` before `gender` before `industry`.
    fields: dict[str, Any] = {
        "full_name": name.full_name,
        "given_name": name.given_name,
        "family_name": name.family_name,
        "name_script": name.script,
        "name_key": name.key,
        "company": company.display,
        "company_key": company.key,
        "country": country,
    }
    if name.middle_name is not None:
        fields["middle_name"] = name.middle_name
    if emails:
        fields["emails"] = tuple(emails)
    if phones:
        fields["phones"] = tuple(phones)
    if job_title:
        fields["job_title"] = job_title
        fields["seniority"] = seniority_of(job_title, book)
    if street := text_of("street"):
        fields["street"] = normalize_street(street, country)
    if street2 := text_of("street2"):
        fields["street2"] = normalize_street(street2, country)
    if city := text_of("city"):
        fields["city"] = fold_text(city) or None
    if postcode is not None:
        fields["postcode"] = postcode
    if state := text_of("state"):
        fields["state"] = _state(state, country, findings)
    if birth_date is not None:
        fields["birth_date"] = birth_date
    if gender := text_of("gender"):
        fields["gender"] = _picklist("gender", gender, findings)
    if national_id := text_of("national_id"):
        fields["national_id"] = fold_text(national_id) or None
    if url := text_of("linkedin_url"):
        fields["linkedin_url"] = fold_text(url) or None
    if industry := text_of("industry"):
        fields["industry"] = _picklist("industry", industry, findings)
    if not _CANONICAL.issuperset(contact):
        fields["attributes"] = _attributes(contact)
    return validated(NormalizedContact, fields)


def _attributes(contact: dict[str, Any]) -> dict[str, Any]:
    """Non-canonical keys of a mapped contact, in input order (passed through unchanged)."""
    return {key: value for key, value in contact.items() if key not in _CANONICAL}


def _picklist(name: str, raw: str, findings: _Findings) -> str | None:
    value, notes = resolve_picklist(name, raw, findings.book)
    for note in notes:
        findings.add(note, name)
    return value


def _state(raw: str, country: str | None, findings: _Findings) -> str | None:
    value, notes = resolve_state(raw, country, findings.book)
    for note in notes:
        findings.add(note, "state")
    return value


def _careful_parse(payload: bytes) -> dict[str, Any] | None:
    """The payload as a JSON object when it is one (to name the event in its dead letter)."""
    try:
        parsed = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _envelope_issues(
    payload: bytes, error: ValidationError, envelope: dict[str, Any] | None, book: RuleBook
) -> list[Issue]:
    """Map pydantic's errors to machine-readable reasons, one per failing envelope field."""
    errors = error.errors(include_url=False, include_input=False)
    if any(item["type"] == "json_invalid" for item in errors):
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError as decode_error:
            return [book.issue("not_utf8", "_payload", f"invalid byte at position {decode_error.start}")]
        return [book.issue("not_json", "_payload")]
    if envelope is None and any(not item["loc"] for item in errors):
        return [book.issue("not_object", "_payload")]
    issues: list[Issue] = []
    for item in errors:
        location = ".".join(str(part) for part in item["loc"]) or "_envelope"
        kind = item["type"]
        if kind == "missing":
            code = "envelope_missing"
        elif kind.endswith("_type"):
            code = "envelope_type"
        else:
            code = "envelope_invalid"
        issues.append(book.issue(code, location, "" if code == "envelope_missing" else item["msg"]))
    return issues


def _reject(
    payload: bytes,
    reasons: list[Issue],
    envelope: dict[str, Any] | None,
    origin: PayloadOrigin | None,
    now: datetime,
) -> Rejected:
    encoding: Literal["utf-8", "base64"] = "utf-8"
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(payload).decode("ascii"), "base64"
    envelope = envelope or {}
    origin = origin or PayloadOrigin()
    return Rejected(
        RejectedEvent(
            event_id=_string_or_none(envelope.get("event_id")),
            source=_string_or_none(envelope.get("source")),
            external_id=_string_or_none(envelope.get("external_id")),
            reasons=tuple(reasons),
            payload=text,
            payload_encoding=encoding,
            topic=origin.topic,
            partition=origin.partition,
            offset=origin.offset,
            rejected_at=now,
        )
    )


def internal_error_rejection(
    payload: bytes, *, origin: PayloadOrigin | None, now: datetime, config: CleaningConfig
) -> Rejected:
    """Dead letter for an event that made the pipeline itself fail (a bug, not bad data).

    The worker uses it so that no input can crash it: the original bytes still reach the
    rejected topic, with code `internal_error`.
    """
    envelope = _careful_parse(payload) if len(payload) <= config.max_payload_bytes else None
    reason = config.rules.issue("internal_error", "_payload", "processing failed; see worker log")
    return _reject(payload, [reason], envelope, origin, now)


def _string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
