"""Fellegi-Sunter scoring of two normalized contacts, and the merge / review / distinct decision.

The model follows Splink: each field comparison puts a pair into one of a few ordered levels
(exact, fuzzy, different, ...); each level has m = P(level | same person) and
u = P(level | different people); a pair's match weight is log2(prior odds) plus the sum of
log2(m / u) over the fields, and its probability is 2^w / (1 + 2^w). A field missing on either
side contributes 0. For the exact-name level the caller may pass the name's term frequency,
which replaces u (Splink's term-frequency adjustment), so 王伟 or John Smith weigh less than a
rare name; the same shift applies to the reversed and Jaro-Winkler name levels so that weights
stay monotonic (a near match never outweighs an exact match).

Comparisons (levels in evaluation order, first that applies wins):
    name         exact, reversed, jw_both_092, jw_both_080, family_exact, given_exact,
                 partial_fuzzy, different. Compares the transliterated (anyascii) given and
                 family keys in both alignments, so "王小明" / "Xiaoming Wang" are exact and
                 swapped given/family names still agree strongly.
    birth_date   exact, one_off (one of year/month/day differs, or day and month transposed),
                 different
    national_id  exact, edit1, edit2 (optimal string alignment distance), different
    email        exact (the two email sets overlap), local_exact (same mailbox name, other
                 domain), different
    phone        exact (the E.164 sets overlap), last7 (last seven digits overlap), different
    street       exact, ratio_090, ratio_070 (rapidfuzz Indel ratio of street + street2),
                 different
    locality     postcode_city, postcode, city, fuzzy (postcode one edit apart or city
                 Jaro-Winkler >= 0.9), different, country_different
    company      exact, fuzzy (token-set ratio >= 0.9 of company keys), different

Merge guards, on top of the probability (domain rules, section 4: a name is never enough):
    corroborated  True when at least one NON-NAME field agrees strongly: email exact, phone
                  exact, national_id exact or edit1 (one typo in a long identifier), birth_date
                  exact, or the address (street exact or ratio_090, or locality postcode /
                  postcode_city) together with company exact or fuzzy, or two near-agreements
                  (any two of birth_date one_off, phone last7, email local_exact). Name, city
                  and street alone never corroborate.
    conflicts     fields that positively contradict: birth_date different, or both records
                  carry given names that clearly differ (Jaro-Winkler < 0.75 in the best
                  alignment, initials excepted). An exact national id clears both. The
                  given-name conflict is also cleared by an identifier a re-entered person keeps
                  but a twin or household member does not share: the same email, the same
                  mailbox name plus the same phone, a shared MOBILE number (a landline may be a
                  household's), or a national id within one edit together with a birth date that
                  agrees (exact / one_off); twins share a birth date and an address but not a
                  national id. The birth-date conflict is also cleared by a national id one edit
                  apart when both given and family names agree (a mistyped birth date). Conflicts
                  block auto-merge: households and twins share a surname, an address, a landline
                  (twins: a birth date), and the independence assumption of the model over-counts
                  those. A different national id is not a conflict, only a negative weight: on
                  FEBRL a re-keyed id is a common entry error.
    scripts       names written in two different scripts (e.g. Persian and its Latin spelling)
                  whose transliterations do not meet (partial_fuzzy / different) count as
                  `missing`: lossy transliteration is no evidence against a match, and no
                  evidence for one either.

Pure: no I/O, no clock, no randomness; loading and saving the model JSON are the only file
access and happen only when called. It must not fetch candidates (the index does), decide
ownership (the caller passes `same_owner`), or normalize raw values (the normalizers do).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Final, NamedTuple, TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from agents.core.blocking import ascii_key, key_parts_of
from agents.core.normalize.text import new_tuple
from schemas.outputs import Decision, FieldComparison
from schemas.records import NormalizedContact

MISSING: Final[str] = "missing"

COMPARISON_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "name": (
        "exact",
        "reversed",
        "jw_both_092",
        "jw_both_080",
        "family_exact",
        "given_exact",
        "partial_fuzzy",
        "different",
    ),
    "birth_date": ("exact", "one_off", "different"),
    "national_id": ("exact", "edit1", "edit2", "different"),
    "email": ("exact", "local_exact", "different"),
    "phone": ("exact", "last7", "different"),
    "street": ("exact", "ratio_090", "ratio_070", "different"),
    "locality": ("postcode_city", "postcode", "city", "fuzzy", "different", "country_different"),
    "company": ("exact", "fuzzy", "different"),
}
"""Every comparison and its levels, strongest first; `missing` (weight 0) is implicit."""

TF_LEVEL: Final[tuple[str, str]] = ("name", "exact")
"""The level whose u is replaced by the name's term frequency when one is given."""

TF_ADJUSTED_NAME_LEVELS: Final[frozenset[str]] = frozenset({"exact", "reversed", "jw_both_092", "jw_both_080"})
"""Name levels that receive the same term-frequency shift as the exact level (so a near match
on a common name never outweighs an exact match on it)."""

DEFAULT_MODEL_PATH: Final[Path] = Path(__file__).resolve().parents[2] / "config" / "match_model.json"

_GIVEN_CONFLICT_BELOW: Final[float] = 0.75

_INCOMPARABLE_ACROSS_SCRIPTS: Final[frozenset[str]] = frozenset({"partial_fuzzy", "different"})
"""Name levels read as `missing` when the two names are written in different scripts."""

_STRONG_NAME_LEVELS: Final[frozenset[str]] = frozenset({"exact", "reversed", "jw_both_092", "jw_both_080"})
"""Name levels where both given and family names agree (possibly with typos)."""

_NEAR_AGREEMENTS: Final[tuple[tuple[str, str], ...]] = (
    ("birth_date", "one_off"),
    ("phone", "last7"),
    ("email", "local_exact"),
)
"""Almost-agreements on identifiers: any two of them together corroborate."""


@dataclass(frozen=True)
class LevelParams:
    """m and u probabilities of one comparison level."""

    level: str
    m: float
    u: float


_MAX_OUTCOMES: Final[int] = 100_000
"""Level combinations remembered per model (a few thousand occur; this only bounds memory)."""


@dataclass(frozen=True, slots=True)
class _LevelOutcome:
    """What one combination of comparison levels contributes to a pair's score (see `MatchModel.outcome`)."""

    weights: tuple[float, ...]  # log2(m/u) per comparison, in COMPARISON_LEVELS order
    total: float  # log2 prior odds + the weights, summed in order: the match weight without a tf shift
    explanations: tuple[FieldComparison, ...]  # the same, as shown in decisions
    name_tf_adjusted: bool  # the name level takes the term-frequency shift
    corroborated: bool
    corroborating: tuple[str, ...]
    conflicts: tuple[str, ...]


@dataclass(frozen=True)
class MatchModel:
    """Fellegi-Sunter parameters: prior match probability and m/u per comparison level.

    Attributes:
        prior: Probability that two records drawn at random are the same person (lambda).
        comparisons: Comparison name -> its levels' parameters, strongest level first.
        tf_minimum_u: Floor for a term-frequency u, so a name seen once cannot weigh infinitely.
        description: How the parameters were estimated (free text, kept in the JSON).
    """

    prior: float
    comparisons: Mapping[str, tuple[LevelParams, ...]]
    tf_minimum_u: float = 1e-6
    description: str = ""
    _weights: dict[tuple[str, str], float] = field(init=False, repr=False, compare=False, hash=False)
    _explanations: dict[tuple[str, str], FieldComparison] = field(init=False, repr=False, compare=False, hash=False)
    _outcomes: dict[tuple[tuple[str, ...], bool], _LevelOutcome] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _prior_weight: float = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Validate the parameters against COMPARISON_LEVELS and precompute log2(m/u)."""
        if not 0 < self.prior < 1:
            raise ValueError(f"prior must be in (0, 1), got {self.prior}")
        weights: dict[tuple[str, str], float] = {}
        for comparison, levels in COMPARISON_LEVELS.items():
            given = {p.level: p for p in self.comparisons.get(comparison, ())}
            if set(given) != set(levels):
                raise ValueError(f"{comparison}: levels {sorted(given)} do not match {sorted(levels)}")
            for params in given.values():
                if not (0 < params.m <= 1 and 0 < params.u <= 1):
                    raise ValueError(f"{comparison}.{params.level}: m and u must be in (0, 1]")
                weights[(comparison, params.level)] = math.log2(params.m / params.u)
            weights[(comparison, MISSING)] = 0.0
        object.__setattr__(self, "_weights", weights)
        # FieldComparison is frozen, so one instance per level is shared by every pair
        # (validating eight pydantic models per pair would cost more than the comparisons).
        explanations = {
            key: FieldComparison(field=key[0], level=key[1], weight=round(weight, 4)) for key, weight in weights.items()
        }
        object.__setattr__(self, "_explanations", explanations)
        object.__setattr__(self, "_outcomes", {})
        object.__setattr__(self, "_prior_weight", math.log2(self.prior / (1 - self.prior)))

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds."""
        return self._prior_weight

    def weight(self, comparison: str, level: str) -> float:
        """Return log2(m/u) of a level (0 for `missing`)."""
        return self._weights[(comparison, level)]

    def explanation(self, comparison: str, level: str) -> FieldComparison:
        """Return the (shared, immutable) FieldComparison of a level at its model weight."""
        return self._explanations[(comparison, level)]

    def outcome(self, levels: Mapping[str, str], given_conflict: bool) -> _LevelOutcome:
        """Return what a combination of levels means, derived once per combination.

        Pairs fall into few distinct level combinations (eight comparisons of a handful of
        levels each), so the per-level weights, explanations, corroborating fields and conflicts
        are looked up instead of derived again for every candidate pair.

        Args:
            levels: `compare_features` levels, in COMPARISON_LEVELS order.
            given_conflict: `compare_features`' given-name conflict flag.
        """
        return self.outcome_of(tuple(levels.values()), given_conflict)

    def outcome_of(self, levels: tuple[str, ...], given_conflict: bool) -> _LevelOutcome:
        """`outcome` of levels given as a tuple in COMPARISON_LEVELS order (the scoring hot path)."""
        key = (levels, given_conflict)
        outcome = self._outcomes.get(key)
        if outcome is None:
            named = dict(zip(COMPARISON_LEVELS, levels, strict=True))
            pairs = tuple(named.items())
            weights = tuple(self._weights[pair] for pair in pairs)
            total = self.prior_weight
            for weight in weights:  # in order, exactly as `score_features` adds them
                total += weight
            corroborating = _corroborating_fields(named)
            outcome = _LevelOutcome(
                weights=weights,
                total=total,
                explanations=tuple(self._explanations[pair] for pair in pairs),
                name_tf_adjusted=named["name"] in TF_ADJUSTED_NAME_LEVELS,
                corroborated=bool(corroborating),
                corroborating=corroborating,
                conflicts=_conflicting_fields(named, given_conflict),
            )
            if len(self._outcomes) < _MAX_OUTCOMES:
                self._outcomes[key] = outcome
        return outcome

    def tf_shift(self, name_frequency: float) -> float:
        """Return the term-frequency change of the exact-name weight: log2(u / frequency).

        Replacing u of the exact-name level by the name's frequency changes its weight by this
        amount; the same shift is applied to the other agreeing name levels
        (TF_ADJUSTED_NAME_LEVELS).

        Args:
            name_frequency: Share of index records with the name (clamped to tf_minimum_u).

        Returns:
            Positive for names rarer than average, negative for common names.
        """
        u = self.params(*TF_LEVEL).u
        return math.log2(u / max(name_frequency, self.tf_minimum_u))

    def params(self, comparison: str, level: str) -> LevelParams:
        """Return the parameters of one level."""
        for params in self.comparisons[comparison]:
            if params.level == level:
                return params
        raise KeyError(f"{comparison}.{level}")

    def to_json_dict(self) -> dict[str, object]:
        """Return the JSON-ready form written by `save`."""
        return {
            "format": "crm-dq/match-model/v1",
            "description": self.description,
            "prior": self.prior,
            "tf_minimum_u": self.tf_minimum_u,
            "comparisons": {
                name: [
                    {
                        "level": p.level,
                        "m": p.m,
                        "u": p.u,
                        "weight": round(math.log2(p.m / p.u), 3),
                    }
                    for p in self.comparisons[name]
                ]
                for name in COMPARISON_LEVELS
            },
        }

    def save(self, path: Path | str = DEFAULT_MODEL_PATH) -> None:
        """Write the model as JSON (creating the parent directory if needed).

        Args:
            path: Target file; defaults to `config/match_model.json` in the repo.
        """
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.to_json_dict(), indent=2, ensure_ascii=False) + "\n")


def load_match_model(path: Path | str = DEFAULT_MODEL_PATH) -> MatchModel:
    """Read a model written by `MatchModel.save`.

    Args:
        path: The JSON file; defaults to `config/match_model.json` in the repo.

    Returns:
        The validated model.

    Raises:
        ValueError: When a comparison's levels do not match this code's COMPARISON_LEVELS.
    """
    raw = json.loads(Path(path).read_text())
    comparisons = {
        name: tuple(LevelParams(level=p["level"], m=p["m"], u=p["u"]) for p in levels)
        for name, levels in raw["comparisons"].items()
    }
    return MatchModel(
        prior=raw["prior"],
        comparisons=comparisons,
        tf_minimum_u=raw.get("tf_minimum_u", 1e-6),
        description=raw.get("description", ""),
    )


@dataclass(frozen=True)
class PairScore:
    """The score of one pair of contacts, with its explanation.

    Attributes:
        probability: Posterior match probability in [0, 1].
        match_weight: log2 prior odds + sum of field weights.
        comparisons: One entry per comparison in COMPARISON_LEVELS order (0 weight if missing).
        corroborated: At least one non-name field agrees strongly (see module docstring).
        corroborating: The fields that corroborate (e.g. ("email", "birth_date")).
        conflicts: Fields that contradict and were not cleared (see module docstring).
    """

    probability: float
    match_weight: float
    comparisons: tuple[FieldComparison, ...]
    corroborated: bool
    corroborating: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchThresholds:
    """Probability thresholds of `decide` (calibrated on FEBRL 1-4 and the synthetic CRM set).

    Attributes:
        auto_merge_at: Minimum probability for an automatic merge (also needs corroboration,
            no conflict and the same owner).
        review_at: Minimum probability to ask a person.
    """

    auto_merge_at: float = 0.95
    review_at: float = 0.6

    def __post_init__(self) -> None:
        """Reject thresholds outside [0, 1] or in the wrong order."""
        if not 0 <= self.review_at <= self.auto_merge_at <= 1:
            raise ValueError("need 0 <= review_at <= auto_merge_at <= 1")


class MatchFeatures(NamedTuple):
    """The comparable form of one contact, derived once and cached.

    A NamedTuple rather than a frozen dataclass: as immutable, and built several times faster
    (a frozen dataclass sets each field through `object.__setattr__`), which counts when every
    candidate read from the index is turned back into features.
    """

    given: str
    family: str
    script: str
    emails: frozenset[str]
    email_locals: frozenset[str]
    phones: frozenset[str]
    mobiles: frozenset[str]
    phone_tails: frozenset[str]
    birth_date: date | None
    national_id: str
    street: str
    postcode: str
    city: str
    country: str
    company: str


FEATURES_VERSION: Final[int] = 1
"""Version of the derivation in `match_features`; bump it whenever that derivation changes.

The match index stores each record's features with this number (`features_to_wire`), so a
candidate is scored without transliterating its names again. Stored features of another version
are ignored and derived again from the stored contact.
"""


def features_to_wire(features: MatchFeatures) -> list[object]:
    """Return the features as a JSON-ready list, for the match index (see `features_from_wire`).

    Args:
        features: Features from `match_features`.

    Returns:
        `[FEATURES_VERSION, given, family, script, emails, phones, mobiles, birth date (ISO or
        None), national_id, street, postcode, city, country, company]`; sets as sorted lists.
        Email mailbox names and phone tails are derived again when read.
    """
    f = features
    return [
        FEATURES_VERSION,
        f.given,
        f.family,
        f.script,
        sorted(f.emails),
        sorted(f.phones),
        sorted(f.mobiles),
        f.birth_date.isoformat() if f.birth_date else None,
        f.national_id,
        f.street,
        f.postcode,
        f.city,
        f.country,
        f.company,
    ]


def features_from_wire(wire: object, start: int = 0) -> MatchFeatures | None:
    """Inverse of `features_to_wire`; None when `wire` is of another version or malformed.

    Args:
        wire: The decoded JSON list.
        start: Where the features begin in `wire` (a match line carries the record id and
            owner before them).

    Returns:
        Features equal to the ones that were written, or None (then derive them again with
        `match_features` from the stored contact).
    """
    if not isinstance(wire, list) or len(wire) != start + 14 or wire[start] != FEATURES_VERSION:
        return None
    given, family, script, emails, phones, mobiles, birth, national_id, street, postcode, city, country, company = wire[
        start + 1 :
    ]
    # Most records carry no or one email / phone: share the empty sets instead of building
    # them, and derive one mailbox name / one phone tail without a loop.
    if not emails:
        email_set = email_locals = _NO_VALUES
    elif len(emails) == 1:
        email = emails[0]
        email_set = frozenset(emails)
        email_locals = frozenset((email.partition("@")[0],))
    else:
        email_set = frozenset(emails)
        email_locals = frozenset([e.partition("@")[0] for e in email_set])
    if not phones:
        phone_set = phone_tails = _NO_VALUES
    else:
        phone_set = frozenset(phones)
        phone = phones[0]
        if len(phones) == 1 and phone[:1] == "+" and phone[1:].isdigit():  # one E.164 number
            phone_tails = frozenset((phone[-7:],)) if len(phone) >= 8 else _NO_VALUES
        else:
            phone_tails = _phone_tails(phone_set)
    if not mobiles:
        mobile_set = _NO_VALUES
    elif mobiles == phones:  # every phone a mobile (the common case): the same set
        mobile_set = phone_set
    else:
        mobile_set = frozenset(mobiles)
    return new_tuple(
        MatchFeatures,
        (
            given,
            family,
            script,
            email_set,
            email_locals,
            phone_set,
            mobile_set,
            phone_tails,
            date.fromisoformat(birth) if birth else None,
            national_id,
            street,
            postcode,
            city,
            country,
            company,
        ),
    )


_NO_VALUES: Final[frozenset[str]] = frozenset()


def _phone_tails(phones: frozenset[str]) -> frozenset[str]:
    """The last seven digits of each phone that has at least seven."""
    tails = []
    for phone in phones:
        if phone[:1] == "+" and phone[1:].isdigit():  # E.164: the digits are all but the "+"
            if len(phone) >= 8:
                tails.append(phone[-7:])
        else:
            digits = _digits(phone)
            if len(digits) >= 7:
                tails.append(digits[-7:])
    return frozenset(tails)


def _digits(phone: str) -> str:
    """The digits of a phone number (E.164 `+<digits>` without a scan per character)."""
    if phone[:1] == "+" and phone[1:].isdigit():
        return phone[1:]
    return "".join(filter(str.isdigit, phone))


def match_features(contact: NormalizedContact) -> MatchFeatures:
    """Return the comparable features of a contact (cached on the fields that matter).

    Args:
        contact: The normalized contact.

    Returns:
        Transliterated name keys, email / phone sets and cleaned address keys.
    """
    return _features_cached(
        contact.given_name,
        contact.family_name,
        contact.name_key,
        contact.full_name,
        contact.name_script,
        contact.emails,
        tuple(phone.e164 for phone in contact.phones),
        tuple(phone.e164 for phone in contact.phones if phone.kind == "mobile"),
        contact.birth_date,
        contact.national_id,
        contact.street,
        contact.street2,
        contact.postcode,
        contact.city,
        contact.country,
        contact.company_key,
    )


@lru_cache(maxsize=65_536)
def _features_cached(
    given_name: str | None,
    family_name: str | None,
    name_key: str | None,
    full_name: str | None,
    name_script: str | None,
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    mobiles: tuple[str, ...],
    birth_date: date | None,
    national_id: str | None,
    street: str | None,
    street2: str | None,
    postcode: str | None,
    city: str | None,
    country: str | None,
    company_key: str | None,
) -> MatchFeatures:
    parts = key_parts_of(
        given_name,
        family_name,
        name_key,
        full_name,
        national_id=national_id,
        postcode=postcode,
        city=city,
        company_key=company_key,
    )
    email_set = frozenset(e.lower() for e in emails if e)
    phone_set = frozenset(p for p in phones if p)
    return MatchFeatures(
        given=parts.given,
        family=parts.family,
        script=name_script or "",
        emails=email_set,
        email_locals=frozenset(e.partition("@")[0] for e in email_set),
        phones=phone_set,
        mobiles=frozenset(p for p in mobiles if p),
        phone_tails=_phone_tails(phone_set),
        birth_date=birth_date,
        national_id=parts.national_id,
        street=ascii_key(" ".join(s for s in (street, street2) if s)),
        postcode=parts.postcode,
        city=parts.city,
        country=(country or "").upper(),
        company=parts.company,
    )


def name_frequency_key(contact: NormalizedContact) -> str | None:
    """Return the key under which the caller counts name frequencies (None without a name).

    The term frequency passed to `score_pair` is the share of index records whose key equals
    this one; it is the given + family key, transliterated, so 王伟 and "Wei Wang" count together.

    Args:
        contact: The normalized contact.

    Returns:
        "given family" (ASCII), or None when the contact has no given or no family name.
    """
    return features_name_key(match_features(contact))


def features_name_key(features: MatchFeatures) -> str | None:
    """`name_frequency_key` of the contact these features were derived from."""
    if not (features.given and features.family):
        return None
    return f"{features.given} {features.family}"


def _name_similarity(x: str, y: str) -> float:
    """Jaro-Winkler similarity of two name parts; an initial matching a name scores 0.9."""
    if not x or not y:
        return 0.0
    if len(x) == 1 or len(y) == 1:
        return 0.9 if x[0] == y[0] else 0.0
    return JaroWinkler.similarity(x, y)


_name_similarity_cached = lru_cache(maxsize=65_536)(_name_similarity)
"""`_name_similarity`, remembered: given and family names are few, so their pairs recur."""


def _compare_name(a: MatchFeatures, b: MatchFeatures) -> tuple[str, bool]:
    """Return the name level and whether the given names clearly conflict."""
    return _compare_names(a.given, a.family, b.given, b.family)


def _compare_names(a_given: str, a_family: str, b_given: str, b_family: str) -> tuple[str, bool]:
    """`_compare_name` of the given and family keys of two contacts (a pure function of them)."""
    _similarity = _name_similarity_cached
    if not (a_given or a_family) or not (b_given or b_family):
        return MISSING, False
    both = bool(a_given and a_family and b_given and b_family)
    if both:
        if a_given == b_given and a_family == b_family:
            return "exact", False
        if a_given == b_family and a_family == b_given:
            return "reversed", False
        straight_given = _similarity(a_given, b_given)
        straight = min(straight_given, _similarity(a_family, b_family))
        crossed_given = _similarity(a_given, b_family)
        crossed = min(crossed_given, _similarity(a_family, b_given))
        best = max(straight, crossed)
        given_similarity = straight_given if straight >= crossed else crossed_given
        given_conflict = given_similarity < _GIVEN_CONFLICT_BELOW
        if best >= 0.92:
            return "jw_both_092", False
        if best >= 0.80:
            return "jw_both_080", False
    else:
        given_conflict = False
    if a_family and a_family == b_family:
        return "family_exact", given_conflict
    if a_given and a_given == b_given:
        return "given_exact", given_conflict
    if _similarity(a_family, b_family) >= 0.92 or _similarity(a_given, b_given) >= 0.92:
        return "partial_fuzzy", given_conflict
    return "different", given_conflict


_compare_names_cached = lru_cache(maxsize=65_536)(_compare_names)
"""`_compare_names`, remembered: a name pair costs up to six Jaro-Winkler calls, and the same
pairs of name keys recur across candidates (namesakes, common given names)."""


def _compare_birth_date(a: MatchFeatures, b: MatchFeatures) -> str:
    x, y = a.birth_date, b.birth_date
    if x is None or y is None:
        return MISSING
    if x == y:
        return "exact"
    same = (x.year == y.year) + (x.month == y.month) + (x.day == y.day)
    transposed = x.year == y.year and x.month == y.day and x.day == y.month
    return "one_off" if same == 2 or transposed else "different"


def _compare_national_id(a: MatchFeatures, b: MatchFeatures) -> str:
    if not a.national_id or not b.national_id:
        return MISSING
    if a.national_id == b.national_id:
        return "exact"
    distance = OSA.distance(a.national_id, b.national_id, score_cutoff=2)
    return "edit1" if distance == 1 else "edit2" if distance == 2 else "different"


def _compare_email(a: MatchFeatures, b: MatchFeatures) -> str:
    if not a.emails or not b.emails:
        return MISSING
    if not a.emails.isdisjoint(b.emails):
        return "exact"
    return "different" if a.email_locals.isdisjoint(b.email_locals) else "local_exact"


def _compare_phone(a: MatchFeatures, b: MatchFeatures) -> str:
    if not a.phones or not b.phones:
        return MISSING
    if not a.phones.isdisjoint(b.phones):
        return "exact"
    return "different" if a.phone_tails.isdisjoint(b.phone_tails) else "last7"


def _compare_street(a: MatchFeatures, b: MatchFeatures) -> str:
    if not a.street or not b.street:
        return MISSING
    if a.street == b.street:
        return "exact"
    ratio = fuzz.ratio(a.street, b.street, score_cutoff=70)
    return "ratio_090" if ratio >= 90 else "ratio_070" if ratio else "different"


def _compare_locality(a: MatchFeatures, b: MatchFeatures) -> str:
    if a.country and b.country and a.country != b.country:
        return "country_different"
    has_postcode = bool(a.postcode and b.postcode)
    has_city = bool(a.city and b.city)
    if not (has_postcode or has_city):
        return MISSING
    same_postcode = has_postcode and a.postcode == b.postcode
    same_city = has_city and a.city == b.city
    if same_postcode:
        return "postcode_city" if same_city else "postcode"
    if same_city:
        return "city"
    if (has_postcode and OSA.distance(a.postcode, b.postcode, score_cutoff=1) <= 1) or (
        has_city and JaroWinkler.similarity(a.city, b.city) >= 0.9
    ):
        return "fuzzy"
    return "different"


def _compare_company(a: MatchFeatures, b: MatchFeatures) -> str:
    if not a.company or not b.company:
        return MISSING
    if a.company == b.company:
        return "exact"
    return _different_companies(a.company, b.company)


def _different_companies(a_company: str, b_company: str) -> str:
    """The company level of two different, non-empty company keys: `fuzzy` or `different`."""
    return "fuzzy" if fuzz.token_set_ratio(a_company, b_company) >= 90 else "different"


_different_companies_cached = lru_cache(maxsize=65_536)(_different_companies)
"""`_different_companies`, remembered: company keys recur far more than streets or names do."""


def compare_features(a: MatchFeatures, b: MatchFeatures) -> tuple[dict[str, str], bool]:
    """Return the level of every comparison for a pair, and the given-name conflict flag.

    Args:
        a: Features of one contact.
        b: Features of the other.

    Returns:
        (comparison -> level, in COMPARISON_LEVELS order; True when the given names conflict
        and no identifier clears it, see `_given_conflict_cleared`).
    """
    levels, given_conflict = compare_levels(a, b)
    return dict(zip(COMPARISON_LEVELS, levels, strict=True)), given_conflict


def compare_levels(a: MatchFeatures, b: MatchFeatures) -> tuple[tuple[str, ...], bool]:
    """`compare_features` with the levels as a tuple in COMPARISON_LEVELS order (no dict per pair).

    The per-candidate hot path: the `_compare_*` functions' missing and equality tests are
    written out here (a Python call costs more than the test), and the functions are called
    only for what remains (two values present and different); name pairs and company pairs are
    remembered (`_compare_names_cached`, `_different_companies_cached`). The levels are those of
    the `_compare_*` functions, which `tests/unit/test_scoring_levels_fast_paths.py` pins.
    """
    name_level, given_conflict = _compare_names_cached(a.given, a.family, b.given, b.family)
    if name_level in _INCOMPARABLE_ACROSS_SCRIPTS and a.script and b.script and a.script != b.script:
        # Transliteration is lossy (Persian drops vowels, kanji read as pinyin): two spellings
        # in different scripts that do not meet are no evidence either way.
        name_level, given_conflict = MISSING, False
    a_born, b_born = a.birth_date, b.birth_date
    if a_born is None or b_born is None:
        birth_date = MISSING
    elif a_born == b_born:
        birth_date = "exact"
    else:
        birth_date = _compare_birth_date(a, b)
    a_id, b_id = a.national_id, b.national_id
    if not a_id or not b_id:
        national_id = MISSING
    elif a_id == b_id:
        national_id = "exact"
    else:
        national_id = _compare_national_id(a, b)
    a_emails, b_emails = a.emails, b.emails
    if not a_emails or not b_emails:
        email = MISSING
    elif not a_emails.isdisjoint(b_emails):
        email = "exact"
    else:
        email = "different" if a.email_locals.isdisjoint(b.email_locals) else "local_exact"
    a_phones, b_phones = a.phones, b.phones
    if not a_phones or not b_phones:
        phone = MISSING
    elif not a_phones.isdisjoint(b_phones):
        phone = "exact"
    else:
        phone = "different" if a.phone_tails.isdisjoint(b.phone_tails) else "last7"
    if given_conflict and _given_conflict_cleared(email, phone, national_id, birth_date, a, b):
        given_conflict = False
    a_street, b_street = a.street, b.street
    if not a_street or not b_street:
        street = MISSING
    elif a_street == b_street:
        street = "exact"
    else:
        street = _compare_street(a, b)
    a_country, b_country = a.country, b.country
    if a_country and b_country and a_country != b_country:
        locality = "country_different"
    else:
        a_postcode, b_postcode, a_city, b_city = a.postcode, b.postcode, a.city, b.city
        has_postcode = a_postcode and b_postcode
        has_city = a_city and b_city
        if not (has_postcode or has_city):
            locality = MISSING
        elif has_postcode and a_postcode == b_postcode:
            locality = "postcode_city" if has_city and a_city == b_city else "postcode"
        elif has_city and a_city == b_city:
            locality = "city"
        else:
            locality = _compare_locality(a, b)
    a_company, b_company = a.company, b.company
    if not a_company or not b_company:
        company = MISSING
    elif a_company == b_company:
        company = "exact"
    else:
        company = _different_companies_cached(a_company, b_company)
    return (name_level, birth_date, national_id, email, phone, street, locality, company), given_conflict


def _given_conflict_cleared(
    email: str, phone: str, national_id: str, birth_date: str, a: MatchFeatures, b: MatchFeatures
) -> bool:
    """Return True when a personal identifier explains a given-name difference.

    A person re-entered under a nickname or a mistyped / alternate given name keeps their
    mailbox, mobile number, national id and birth date; twins and household members share a
    surname, an address, a landline and (twins) a birth date, but not a national id, a mobile
    number or a mailbox. So the conflict is cleared by: the same email; the same mailbox name
    together with the same phone; a shared MOBILE number (a shared landline or a
    fixed-line-or-mobile number may be a household's); or a national id within one edit
    together with a birth date that agrees (exact or one_off). Arguments are the levels of
    those comparisons.
    """
    if email == "exact" or not a.mobiles.isdisjoint(b.mobiles):
        return True
    if email == "local_exact" and phone == "exact":
        return True
    return national_id in ("exact", "edit1") and birth_date in ("exact", "one_off")


def _corroborating_fields(levels: Mapping[str, str]) -> tuple[str, ...]:
    """Return the non-name fields that agree strongly enough to justify a merge."""
    # Plain loops rather than comprehensions: this runs for every candidate pair.
    found: list[str] = []
    for name in ("email", "phone", "national_id", "birth_date"):
        if levels[name] == "exact":
            found.append(name)
    if levels["national_id"] == "edit1":
        found.append("national_id")
    # The street itself must agree: a shared postcode + company is an office full of colleagues,
    # and a namesake colleague merged on it in the generator set.
    if levels["street"] in ("exact", "ratio_090") and levels["company"] in ("exact", "fuzzy"):
        found.append("address+company")
    near: list[str] = []
    for name, level in _NEAR_AGREEMENTS:
        if levels[name] == level:
            near.append(name)
    if len(near) >= 2:
        found.append("+".join(near))
    return tuple(found)


def _conflicting_fields(levels: Mapping[str, str], given_conflict: bool) -> tuple[str, ...]:
    """Return the fields that contradict the match and are not cleared by an identifier."""
    if levels["national_id"] == "exact":
        return ()
    birth_conflict = levels["birth_date"] == "different" and not (
        levels["national_id"] == "edit1" and levels["name"] in _STRONG_NAME_LEVELS
    )
    conflicts = ["birth_date"] if birth_conflict else []
    if given_conflict:
        conflicts.insert(0, "given_name")
    return tuple(conflicts)


class PairWeight(NamedTuple):
    """A pair's match weight and level combination, before it is dressed as a `PairScore`.

    Matching weighs every candidate but shows at most two of them (the decision's and a review
    item's), so the per-pair hot path stops here (`weigh_features`); `score` makes the full
    `PairScore`, identical to `score_features` of the same pair.
    """

    match_weight: float
    name_weight: float  # the name comparison's weight, with the term-frequency shift if applied
    name_shifted: bool  # the term-frequency shift was applied to the name weight
    outcome: _LevelOutcome

    @property
    def probability(self) -> float:
        """Posterior match probability (as `PairScore.probability`)."""
        return _probability(self.match_weight)

    def merges(self, *, same_owner: bool, thresholds: MatchThresholds) -> bool:
        """True exactly when `decide(self.score(), same_owner=..., thresholds=...)` says MERGED."""
        outcome = self.outcome
        return merge_rule(
            _probability(self.match_weight),
            corroborated=outcome.corroborated,
            conflicts=outcome.conflicts,
            same_owner=same_owner,
            thresholds=thresholds,
        )

    def score(self) -> PairScore:
        """The full `PairScore` (explanations, corroboration, conflicts)."""
        outcome = self.outcome
        comparisons = outcome.explanations
        if self.name_shifted:
            name = comparisons[0]
            comparisons = (
                FieldComparison(field=name.field, level=name.level, weight=round(self.name_weight, 4)),
                *comparisons[1:],
            )
        return PairScore(
            probability=_probability(self.match_weight),
            match_weight=self.match_weight,
            comparisons=comparisons,
            corroborated=outcome.corroborated,
            corroborating=outcome.corroborating,
            conflicts=outcome.conflicts,
        )


def name_tf_shift(model: MatchModel, name_frequency: float | None) -> float:
    """The term-frequency shift `weigh_features` takes: `model.tf_shift`, or 0.0 without a frequency."""
    return model.tf_shift(name_frequency) if name_frequency is not None else 0.0


def weigh_features(a: MatchFeatures, b: MatchFeatures, model: MatchModel, tf_shift: float = 0.0) -> PairWeight:
    """Weigh two prepared feature sets (the per-candidate hot path; `PairWeight.score` completes it).

    Args:
        a: Features of one contact.
        b: Features of the other.
        model: The Fellegi-Sunter parameters.
        tf_shift: `name_tf_shift(model, name_frequency)`, computed once for all of a record's
            candidates; added to the agreeing name levels (TF_ADJUSTED_NAME_LEVELS).

    Returns:
        The pair's weight; `.score()` equals `score_features(a, b, model, name_frequency=...)`.
    """
    levels, given_conflict = compare_levels(a, b)
    outcome = model._outcomes.get((levels, given_conflict))  # `outcome_of` without its call on a hit
    if outcome is None:
        outcome = model.outcome_of(levels, given_conflict)
    weights = outcome.weights
    if tf_shift and outcome.name_tf_adjusted:
        # Summed in comparison order, name first, exactly as field by field: the same float result.
        name_weight = weights[0] + tf_shift
        total = model._prior_weight
        total += name_weight
        for weight in weights[1:]:
            total += weight
        return new_tuple(PairWeight, (total, name_weight, True, outcome))
    return new_tuple(PairWeight, (outcome.total, weights[0], False, outcome))


def score_features(
    a: MatchFeatures, b: MatchFeatures, model: MatchModel, *, name_frequency: float | None = None
) -> PairScore:
    """Score two prepared feature sets (the fast path behind `score_pair`).

    Args:
        a: Features of one contact.
        b: Features of the other.
        model: The Fellegi-Sunter parameters.
        name_frequency: Share of index records with this pair's name key; replaces u of the
            exact-name level when given (and shifts the other agreeing name levels alike).

    Returns:
        The pair's score, symmetric in (a, b).
    """
    return weigh_features(a, b, model, name_tf_shift(model, name_frequency)).score()


def _probability(weight: float) -> float:
    """Return 2^w / (1 + 2^w) without overflow."""
    if weight >= 0:
        return 1.0 / (1.0 + 2.0**-weight)
    odds = 2.0**weight
    return odds / (1.0 + odds)


def score_pair(
    a: NormalizedContact,
    b: NormalizedContact,
    model: MatchModel,
    *,
    name_frequency: float | None = None,
) -> PairScore:
    """Score a pair of normalized contacts.

    Args:
        a: One contact.
        b: The other contact.
        model: The Fellegi-Sunter parameters (`load_match_model()`).
        name_frequency: Term frequency of the name (share of index records whose
            `name_frequency_key` equals this one). Common names get a smaller exact-name
            weight. None uses the model's average u.

    Returns:
        Probability, match weight, per-field explanation, corroboration and conflicts;
        `score_pair(a, b) == score_pair(b, a)`.
    """
    return score_features(match_features(a), match_features(b), model, name_frequency=name_frequency)


def owners_compatible(owner: str | None, candidate_owner: str | None) -> bool:
    """Return the `same_owner` argument of `decide`: equal owners, or either unknown."""
    return owner is None or candidate_owner is None or owner == candidate_owner


def merge_rule(
    probability: float,
    *,
    corroborated: bool,
    conflicts: tuple[str, ...],
    same_owner: bool,
    thresholds: MatchThresholds,
) -> bool:
    """When `decide` merges: probability >= auto_merge_at, corroborated, conflict-free, same owner."""
    return probability >= thresholds.auto_merge_at and corroborated and not conflicts and same_owner


def decide(best: PairScore | None, *, same_owner: bool, thresholds: MatchThresholds) -> tuple[Decision, str]:
    """Turn the best candidate's score into a decision and a one-line reason.

    Args:
        best: Score of the best candidate, or None when there was no candidate.
        same_owner: True when the candidate has the record's owner or either owner is unknown
            (see `owners_compatible`).
        thresholds: The probability thresholds.

    Returns:
        (decision, reason). NEW without candidate; MERGED only when probability >=
        auto_merge_at, corroborated, conflict-free and same owner; REVIEW when it would merge
        but crosses owners, or is high but uncorroborated or conflicting, or is >= review_at;
        DISTINCT otherwise. Reasons name fields, never values.
    """
    if best is None:
        return Decision.NEW, "no candidate shares a blocking key"
    p = best.probability
    if merge_rule(
        p, corroborated=best.corroborated, conflicts=best.conflicts, same_owner=same_owner, thresholds=thresholds
    ):
        return Decision.MERGED, f"p={p:.3f}, corroborated by {', '.join(best.corroborating)}"
    if p >= thresholds.auto_merge_at:  # would merge but for one of the rule's other conditions
        if not best.corroborated:
            return Decision.REVIEW, f"p={p:.3f} but only name/location agree: no corroboration"
        if best.conflicts:
            return Decision.REVIEW, f"p={p:.3f} but conflicting {', '.join(best.conflicts)}"
        return Decision.REVIEW, f"p={p:.3f} ({', '.join(best.corroborating)}) but the candidate has another owner"
    if p >= thresholds.review_at:
        return Decision.REVIEW, f"p={p:.3f} between review and merge thresholds"
    return Decision.DISTINCT, f"best candidate p={p:.3f} below review threshold"


K = TypeVar("K")


def best_candidate(
    record: NormalizedContact,
    candidates: Iterable[tuple[K, NormalizedContact]],
    model: MatchModel,
    frequencies: Mapping[str, float] | None = None,
    *,
    max_candidates: int = 50,
    stop_at: float = 0.999,
) -> tuple[K, PairScore] | None:
    """Return the highest-weight candidate and its score, with the perf-budget short-circuits.

    Short-circuits: at most `max_candidates` candidates are looked at (duplicates by id
    skipped); candidates sharing an email, phone or national id (cheap set checks) are scored
    first, and the search stops as soon as one of them is mergeable (probability >= `stop_at`,
    corroborated, no conflict). Features are cached per contact value, so a candidate seen
    again costs a cache lookup.

    Args:
        record: The incoming contact.
        candidates: (candidate id, contact) pairs from the index, strongest keys first.
        model: The Fellegi-Sunter parameters.
        frequencies: `name_frequency_key` -> share of index records with it (optional).
        max_candidates: Cap on candidates scored.
        stop_at: Probability at which a corroborated, conflict-free strong-key candidate ends
            the search.

    Returns:
        (candidate id, score) of the best candidate, or None when there is none. Ties keep
        the earlier candidate.
    """
    features = match_features(record)
    frequency_key = name_frequency_key(record)
    name_frequency = frequencies.get(frequency_key) if frequencies is not None and frequency_key else None
    strong: list[tuple[K, MatchFeatures]] = []
    rest: list[tuple[K, MatchFeatures]] = []
    seen: set[K] = set()
    for candidate_id, contact in candidates:
        if len(seen) >= max_candidates:
            break
        if candidate_id in seen:
            continue
        seen.add(candidate_id)
        other = match_features(contact)
        shares_identifier = (
            not features.emails.isdisjoint(other.emails)
            or not features.phones.isdisjoint(other.phones)
            or (bool(features.national_id) and features.national_id == other.national_id)
        )
        (strong if shares_identifier else rest).append((candidate_id, other))

    best: tuple[K, PairScore] | None = None
    for position, (candidate_id, other) in enumerate(strong + rest):
        score = score_features(features, other, model, name_frequency=name_frequency)
        if best is None or score.match_weight > best[1].match_weight:
            best = (candidate_id, score)
        if position < len(strong) and score.probability >= stop_at and score.corroborated and not score.conflicts:
            break
    return best
