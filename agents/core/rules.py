"""Validation rules: configuration model, severities, required fields, phone and picklist rules.

`config/rules.yaml` is loaded once (`load_rules`) into a frozen `RuleBook`: the validated
configuration plus the lookup tables built from it (country index, email typo tables, picklist
synonyms, state index). Each finding carries a stable machine-readable code; its severity
(reject | fix | warn) comes from configuration, so operations can tighten or relax a rule
without a code change.

Pure: reads only the file it is given, in `load_rules`; no clock, no I/O otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import phonenumbers
import pycountry
import yaml
from rapidfuzz import fuzz, process

from agents.core.normalize.countries import CountryIndex, build_country_index
from agents.core.normalize.emails import TypoPolicy
from agents.core.normalize.phones import PhoneResult
from agents.core.normalize.text import Note, ascii_key, ascii_key_of_folded, fold_text
from agents.core.rules_config import (  # re-exported: the configuration model of this module
    Picklist,
    RulesConfig,
    StateRules,
)
from schemas.records import Issue, NormalizedContact, Severity, validated

_NON_WORD = re.compile(r"[^\w]+")

# Built once: the keyword constructor minus its Python wrapper (same validator, same checks).
_REJECT = Severity.REJECT  # bound once: a class attribute of an Enum is a slow lookup

RULE_MESSAGES: dict[str, str] = {
    "payload_too_large": "payload is larger than the configured maximum",
    "internal_error": "the service failed on this event (a bug); payload kept for replay",
    "not_utf8": "payload is not valid UTF-8",
    "not_json": "payload is not valid JSON",
    "not_object": "payload is not a JSON object",
    "envelope_missing": "required envelope field is missing",
    "envelope_type": "envelope field has the wrong type",
    "envelope_invalid": "envelope field has an invalid value",
    "field_type": "contact field has the wrong type (expected text; emails/phones: list of text)",
    "required_missing": "required field is missing",
    "name_invalid": "name has no letters",
    "name_honorific_removed": "honorific removed from the name",
    "name_suffix_removed": "generational or degree suffix removed from the name",
    "name_characters_removed": "characters that cannot be part of a name removed",
    "email_invalid": "email address is not valid",
    "email_typo_domain": "email domain looks like a typo",
    "phone_invalid": "phone number is not valid",
    "phone_region_unknown": "phone has no international prefix and the record has no country",
    "phone_country_mismatch": "phone number does not belong to the record's country",
    "phone_mobile_length": "mobile number has the wrong number of digits for the record's country",
    "country_unknown": "country is not recognized",
    "country_fuzzy_corrected": "country corrected from a near-miss",
    "state_unknown": "state/province is not recognized for the country",
    "picklist_fuzzy_corrected": "value corrected to the preferred picklist term",
    "picklist_unknown": "value is not in the picklist",
    "date_invalid": "date cannot be read or does not exist",
    "date_ambiguous": "date could be day/month or month/day; record has no country to decide",
    "date_two_digit_year": "two-digit year: century assumed",
    "birth_date_future": "birth date is in the future",
    "birth_date_before_1900": "birth date is before 1900",
    "postcode_format": "postcode does not match the country's format",
}
"""Every rule code with its human meaning (the README's rule table is generated from this)."""


@dataclass(frozen=True, slots=True)
class PicklistIndex:
    """Lookup of one picklist: ascii key -> preferred term, plus fuzzy choices."""

    exact: Mapping[str, str]
    choices: tuple[str, ...]
    fuzzy_min_score: float | None


@dataclass(frozen=True, eq=False)
class RuleBook:
    """Configuration plus prebuilt lookup tables; built once, shared read-only, hashed by identity.

    Attributes:
        config: The validated YAML.
        severities: Rule code -> severity (every code in `RULE_MESSAGES` has one).
        typo_policy: Email typo tables.
        country_index: Country lookup.
        picklists: Field name -> picklist lookup.
        states: Country -> (key -> ISO 3166-2 code), from pycountry plus aliases.
        mobile_length: Country -> (compiled prefix, digits).
        seniority_levels: (level, needles) in priority order: each keyword casefolded, ASCII
            ones padded with spaces (" vp ") so they match whole words of a padded title.
        fix_codes: Rule codes whose severity is `fix` (read per event: a set lookup, not a call).
        required: Record type -> its required-field groups as (name, any_of, message).
    """

    config: RulesConfig
    severities: Mapping[str, Severity]
    typo_policy: TypoPolicy
    country_index: CountryIndex
    picklists: Mapping[str, PicklistIndex]
    states: Mapping[str, Mapping[str, str]]
    mobile_length: Mapping[str, tuple[re.Pattern[str], int]]
    seniority_levels: tuple[tuple[str, tuple[str, ...]], ...]
    fix_codes: frozenset[str]
    required: Mapping[str, tuple[tuple[str, tuple[str, ...], str], ...]]

    def severity(self, code: str) -> Severity:
        """Severity of a rule code (unknown codes reject: never let an unknown finding through)."""
        return self.severities.get(code, _REJECT)

    def issue(self, code: str, field: str, detail: str = "") -> Issue:
        """Build an Issue with the configured severity and the rule's message."""
        message = RULE_MESSAGES.get(code, code)
        return validated(
            Issue,
            {
                "code": code,
                "field": field,
                "severity": self.severities.get(code, _REJECT),
                "message": f"{message}: {detail}" if detail else message,
            },
        )


def load_rules(path: str | Path) -> RuleBook:
    """Load config/rules.yaml and build the rule book.

    Args:
        path: Path of the rules YAML file.

    Returns:
        The frozen rule book.

    Raises:
        OSError: The file cannot be read.
        pydantic.ValidationError: The file does not match `RulesConfig`.
    """
    raw: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return build_rule_book(RulesConfig.model_validate(raw))


def build_rule_book(config: RulesConfig) -> RuleBook:
    """Build every lookup table of a rule book from a validated configuration."""
    severities = {code: Severity.REJECT for code in RULE_MESSAGES} | dict(config.severities)
    return RuleBook(
        config=config,
        severities=severities,
        typo_policy=TypoPolicy(
            typo_domains=dict(config.email.typo_domains),
            providers=tuple(config.email.providers),
            tld_typos=dict(config.email.tld_typos),
            min_fuzzy_length=config.email.min_fuzzy_length,
        ),
        country_index=build_country_index(config.countries.aliases, config.countries.fuzzy_min_score),
        picklists={name: _build_picklist(picklist) for name, picklist in config.picklists.items()},
        states=_build_states(config.states),
        mobile_length={
            country.upper(): (re.compile(rule.prefix), rule.digits)
            for country, rule in config.phones.mobile_length.items()
        },
        seniority_levels=tuple(
            (level, tuple(_seniority_needle(keyword) for keyword in keywords))
            for level, keywords in config.seniority.levels.items()
        ),
        fix_codes=frozenset(code for code, severity in severities.items() if severity is Severity.FIX),
        required={
            record_type: tuple((group.name, group.any_of, group.message) for group in groups)
            for record_type, groups in config.required.items()
        },
    )


def _seniority_needle(keyword: str) -> str:
    """What `seniority_of` looks for: " keyword " (whole words) for ASCII, else the keyword."""
    folded = fold_text(keyword).casefold()
    return f" {folded} " if folded.isascii() else folded


def _build_picklist(picklist: Picklist) -> PicklistIndex:
    exact: dict[str, str] = {}
    for term, synonyms in picklist.terms.items():
        for variant in (term, *synonyms):
            exact.setdefault(ascii_key(variant) or fold_text(variant).casefold(), term)
    choices = tuple(sorted(key for key in exact if len(key) > 3))
    return PicklistIndex(exact=exact, choices=choices, fuzzy_min_score=picklist.fuzzy_min_score)


def _build_states(rules: StateRules) -> dict[str, dict[str, str]]:
    states: dict[str, dict[str, str]] = {}
    for subdivision in pycountry.subdivisions:
        table = states.setdefault(subdivision.country_code, {})
        code = subdivision.code
        for variant in (code, code.split("-", 1)[1], subdivision.name):
            table.setdefault(ascii_key(variant), code)
        name_key = ascii_key(subdivision.name)
        for suffix in (" sheng", " shi", " zizhiqu", " ostan", " prefecture", " province"):
            if name_key.endswith(suffix):
                table.setdefault(name_key[: -len(suffix)], code)
    for country, aliases in rules.aliases.items():
        table = states.setdefault(country.upper(), {})
        for alias, code in aliases.items():
            table[ascii_key(alias) or fold_text(alias).casefold()] = code
    return states


def missing_required(
    contact: NormalizedContact, record_type: str, book: RuleBook, fields_with_issues: frozenset[str]
) -> list[Issue]:
    """Required-field groups not met by a normalized contact.

    A group whose fields already carry a reject-level format issue is not reported again.

    Args:
        contact: The normalized contact.
        record_type: `contact` or `lead`.
        book: The rule book.
        fields_with_issues: Normalized fields that already failed a format rule.

    Returns:
        One `required_missing` issue per unmet group.
    """
    issues = []
    for name, any_of, message in book.required.get(record_type, ()):
        for field in any_of:
            if getattr(contact, field, None):
                break
        else:
            if fields_with_issues.isdisjoint(any_of):
                issues.append(book.issue("required_missing", name, message))
    return issues


def phone_rule_notes(result: PhoneResult, country: str | None, book: RuleBook) -> tuple[Note, ...]:
    """Country-conditional phone findings for one normalized phone.

    Mobile-length rules apply to the national number without trunk prefix, when the number is
    in the record's country and starts like a mobile (configured `prefix`).

    The country's mobile-length rule replaces the generic `phone_invalid` (it is the precise
    reason); a valid number from another numbering plan than the record country's (another
    country calling code) is `phone_country_mismatch`.

    Args:
        result: The normalized phone.
        country: The record's ISO alpha-2 country, if known.
        book: The rule book.

    Returns:
        The findings, including the normalizer's own.
    """
    phone = result.phone
    if phone is None or country is None:
        return result.notes
    if phone.region == country:
        length_rule = book.mobile_length.get(country)
        if length_rule is None:
            return result.notes
        # libphonenumber keeps the trunk prefix (0) on numbers it cannot validate: ignore it here.
        national = result.national_number.lstrip("0")
        if length_rule[0].match(national) and len(national) != length_rule[1]:
            return (
                Note(
                    "phone_mobile_length",
                    before=national,
                    after=f"{len(national)} digits, {country} mobiles have {length_rule[1]}",
                ),
            )
        return result.notes
    if (
        phone.valid
        and book.config.phones.require_country_match
        # One numbering plan spans several regions (+44: GB, JE, GG, IM; +1: NANP): a Jersey
        # mobile on a GB record is the record's country's plan, not a foreign number.
        and phonenumbers.country_code_for_region(phone.region or "") != phonenumbers.country_code_for_region(country)
    ):
        detail = f"number region {phone.region}, record country {country}"
        return (*result.notes, Note("phone_country_mismatch", before=phone.e164, after=detail))
    return result.notes


def resolve_picklist(field: str, raw: str, book: RuleBook) -> tuple[str | None, tuple[Note, ...]]:
    """Map a free-text value to its preferred picklist term.

    Args:
        field: Picklist name (`industry`, `gender`, ...); fields without a picklist pass through.
        raw: The value as received.
        book: The rule book.

    Returns:
        (value, notes): the preferred term; or the corrected term with `picklist_fuzzy_corrected`
        (applied only when that rule's severity is `fix`); or the cleaned input with
        `picklist_unknown`.
    """
    cleaned = fold_text(raw)
    picklist = book.picklists.get(field)
    if not cleaned or picklist is None:
        return cleaned or None, ()
    return _resolve_picklist_cached(field, cleaned, book)


@lru_cache(maxsize=16384)
def _resolve_picklist_cached(field: str, cleaned: str, book: RuleBook) -> tuple[str | None, tuple[Note, ...]]:
    picklist = book.picklists[field]
    key = ascii_key_of_folded(cleaned) or cleaned.casefold()  # `cleaned` is fold_text output
    term = picklist.exact.get(key)
    if term is not None:
        return term, ()
    best = None
    if picklist.fuzzy_min_score is not None:
        best = process.extractOne(key, picklist.choices, scorer=fuzz.ratio, score_cutoff=picklist.fuzzy_min_score)
    if best is not None:
        corrected = picklist.exact[best[0]]
        apply = book.severity("picklist_fuzzy_corrected") is Severity.FIX
        note = Note("picklist_fuzzy_corrected", field=field, before=cleaned, after=corrected, applied=apply)
        return (corrected if apply else cleaned), (note,)
    return cleaned, (Note("picklist_unknown", field=field, before=cleaned),)


@lru_cache(maxsize=16384)
def resolve_state(raw: str, country: str | None, book: RuleBook) -> tuple[str | None, tuple[Note, ...]]:
    """Map a state/province to its ISO 3166-2 code when the country is known.

    Args:
        raw: "Calif.", "California", "CA", "北京市", "تهران", ...
        country: The record's ISO alpha-2 country.
        book: The rule book.

    Returns:
        (value, notes): the ISO 3166-2 code, or the cleaned text with `state_unknown` (or
        `picklist_fuzzy_corrected` for a near-miss) when the country has subdivisions.
    """
    cleaned = fold_text(raw)
    table = book.states.get(country or "")
    if not cleaned or not table:
        return cleaned or None, ()
    key = ascii_key_of_folded(cleaned) or cleaned.casefold()  # fold_text is idempotent
    code = table.get(key) or table.get(cleaned.casefold())
    if code is not None:
        return code, ()
    if len(key) > 3:
        best = process.extractOne(
            key,
            tuple(k for k in table if len(k) > 3),
            scorer=fuzz.ratio,
            score_cutoff=book.config.states.fuzzy_min_score,
        )
        if best is not None:
            apply = book.severity("picklist_fuzzy_corrected") is Severity.FIX
            corrected = table[best[0]]
            note = Note(
                "picklist_fuzzy_corrected",
                field="state",
                before=cleaned,
                after=corrected,
                applied=apply,
            )
            return (corrected if apply else cleaned), (note,)
    return cleaned, (Note("state_unknown", field="state", before=cleaned, after=country),)


@lru_cache(maxsize=16384)
def seniority_of(job_title: str, book: RuleBook) -> str | None:
    """Seniority level of a job title from the configured keyword picklist (None when unknown).

    Args:
        job_title: The normalized job title.
        book: The rule book.

    Returns:
        The first level (in configured priority order) with a keyword in the title.
    """
    title = " " + " ".join(_NON_WORD.split(fold_text(job_title).casefold())) + " "
    for level, needles in book.seniority_levels:
        for needle in needles:
            if needle in title:
                return level
    return None
