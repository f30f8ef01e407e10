"""Blocking keys for the real-time match index: which stored contacts are worth scoring.

Each normalized contact gets a few short, stable keys. Two contacts become candidates for each
other when they share at least one key. A key is `<kind>:<hash>`: the kind says which evidence
produced it, the hash (BLAKE2b, 8 bytes, hex) hides the personal value it was built from, so
keys can be stored, logged as counts and used as Redis set names without spelling out emails,
phones or names.

Key kinds, and how far each can fan out (the index caps candidates per key; that is the
caller's job, this module only says which keys deserve a low cap):

Strong keys (one person per value, small fan-out; script-independent, so 王小明 and
"Xiaoming Wang" meet through any email or phone they share):
    em  exact normalized email, one key per email
    ph  exact E.164 phone, one key per phone (a shared landline links a household)
    id  exact national id

Weak keys (built from names, can be huge: 王伟, John Smith, Müller at a common birth date or
in one big city). The name part is a phonetic code (jellyfish metaphone) of the transliterated
(anyascii) name part, so Han, Persian, Cyrillic and Latin-with-diacritics names all block in
the same ASCII space:
    nb  phonetic name part + birth date; emitted for the given AND the family name, under the
        same kind, so records with swapped given/family names still meet
    np  phonetic name part + postcode; emitted for the given and the family name
    nc  phonetic family name + given initial + city
    nk  phonetic family name + given initial + company key
    bp  birth date + postcode (no name): finds people whose name changed (marriage, typos in
        both parts); medium fan-out

The module is pure: no I/O, no clock, no randomness, no global state beyond constants and
bounded caches of the pure `ascii_key` transliteration and `phonetic` codes. It must not decide anything about
matching (that is `agents.core.scoring`), and must not import the normalizers: it works from
`NormalizedContact` fields only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from hashlib import blake2b
from typing import Final, NamedTuple, Protocol

import jellyfish
from anyascii import anyascii

from schemas.records import NormalizedContact

STRONG_KINDS: Final[frozenset[str]] = frozenset({"em", "ph", "id"})
"""Key kinds whose value identifies one person (or one household for landlines)."""

WEAK_KINDS: Final[frozenset[str]] = frozenset({"nb", "np", "nc", "nk", "bp"})
"""Key kinds built from names, dates and places: fan-out can be large, cap them harder."""

MAX_KEYS_PER_KIND: Final[int] = 3
"""At most this many emails / phones produce keys, so one noisy record cannot flood the index."""

_HASH_PERSON: Final[bytes] = b"crm-dq-block-v1"
_BLANK_HASH: Final = blake2b(digest_size=8, person=_HASH_PERSON)
_NON_ALNUM: Final[re.Pattern[str]] = re.compile(r"[^a-z0-9]+")
_HAN_OR_KANA: Final[re.Pattern[str]] = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def ascii_key(text: str | None) -> str:
    """Return a transliterated, lowercase, punctuation-free key of `text` ('' when empty).

    Args:
        text: Any display string (any script).

    Returns:
        Lowercase ASCII words separated by single spaces, e.g. "Jose Garcia" -> "jose garcia",
        "小明" -> "xiaoming".
    """
    if not text:
        return ""
    return _ascii_key_cached(text)


@lru_cache(maxsize=65_536)
def _ascii_key_cached(text: str) -> str:
    # Names, cities, companies and postcodes repeat across events: transliterate each once.
    return _NON_ALNUM.sub(" ", anyascii(text).lower()).strip()


def name_parts(contact: NormalizedContact) -> tuple[str, str]:
    """Return the (given, family) match keys of a contact, transliterated to ASCII.

    Args:
        contact: The normalized contact.

    Returns:
        (given_key, family_key); see `name_parts_of`.
    """
    return name_parts_of(contact.given_name, contact.family_name, contact.name_key, contact.full_name)


def name_parts_of(
    given_name: str | None, family_name: str | None, name_key: str | None, full_name: str | None
) -> tuple[str, str]:
    """Return the (given, family) match keys from the four name fields of a contact.

    Uses `given_name` / `family_name` when both are present; otherwise splits `name_key` (given
    name first, family name last), and as a last resort the transliterated `full_name` (a Han or
    kana full name without spaces is read family name first, one character of family name).

    Args:
        given_name: NormalizedContact.given_name.
        family_name: NormalizedContact.family_name.
        name_key: NormalizedContact.name_key (transliterated, given name first).
        full_name: NormalizedContact.full_name (display form).

    Returns:
        (given_key, family_key); either may be '' when unknown. Spaces inside a part are kept
        (e.g. "mary ann").
    """
    given = ascii_key(given_name)
    family = ascii_key(family_name)
    if given and family:
        return given, family
    tokens = ascii_key(name_key).split()
    if not tokens and full_name:
        full = full_name.strip()
        if " " not in full and _HAN_OR_KANA.search(full) and len(full) >= 2:
            tokens = [ascii_key(full[1:]).replace(" ", ""), ascii_key(full[0])]
        else:
            tokens = ascii_key(full).split()
    if len(tokens) >= 2:
        return given or " ".join(tokens[:-1]), family or tokens[-1]
    if len(tokens) == 1:
        # One word only: keep what the explicit fields said, else call it the family name.
        return given, family or (tokens[0] if not given else "")
    return given, family


@lru_cache(maxsize=65_536)
def phonetic(part: str) -> str:
    """Return the phonetic code of one name part ('' when empty).

    Args:
        part: An ASCII name key, possibly several words ("mary ann", "van der berg").

    Returns:
        The metaphone code of the part with spaces removed, or the part itself when metaphone
        yields nothing (very short names). Cached: name parts repeat across events.
    """
    compact = part.replace(" ", "")
    if not compact:
        return ""
    return jellyfish.metaphone(compact) or compact


def _hashed(kind: str, *parts: str) -> str:
    """Return `kind:hex` where hex is an 8-byte BLAKE2b digest of the joined parts."""
    digest = _BLANK_HASH.copy()  # = blake2b(digest_size=8, person=_HASH_PERSON), set up once
    digest.update("\x1f".join(parts).encode("utf-8"))
    return f"{kind}:{digest.hexdigest()}"


def key_kind(key: str) -> str:
    """Return the kind prefix of a blocking key, e.g. 'em' for 'em:3fa2...'."""
    return key.partition(":")[0]


def is_strong_key(key: str) -> bool:
    """Return True when the key identifies one person (email, phone, national id)."""
    return key_kind(key) in STRONG_KINDS


class KeyParts(Protocol):
    """The ASCII match keys `block_keys` builds on (`agents.core.scoring.MatchFeatures` has them)."""

    @property
    def given(self) -> str: ...  # noqa: D102

    @property
    def family(self) -> str: ...  # noqa: D102

    @property
    def national_id(self) -> str: ...  # noqa: D102

    @property
    def postcode(self) -> str: ...  # noqa: D102

    @property
    def city(self) -> str: ...  # noqa: D102

    @property
    def company(self) -> str: ...  # noqa: D102


class _Parts(NamedTuple):
    given: str
    family: str
    national_id: str
    postcode: str
    city: str
    company: str


def key_parts(contact: NormalizedContact) -> KeyParts:
    """Return the ASCII match keys of a contact that its blocking keys are built from.

    Args:
        contact: The normalized contact.

    Returns:
        See `key_parts_of`.
    """
    return key_parts_of(
        contact.given_name,
        contact.family_name,
        contact.name_key,
        contact.full_name,
        national_id=contact.national_id,
        postcode=contact.postcode,
        city=contact.city,
        company_key=contact.company_key,
    )


def key_parts_of(
    given_name: str | None,
    family_name: str | None,
    name_key: str | None,
    full_name: str | None,
    *,
    national_id: str | None,
    postcode: str | None,
    city: str | None,
    company_key: str | None,
) -> KeyParts:
    """Return the ASCII match keys from a contact's fields (also the scoring features' keys).

    Returns:
        given / family name keys (`name_parts_of`), and national id, postcode, city and company
        keys: transliterated, lowercase; national id and postcode without spaces.
    """
    given, family = name_parts_of(given_name, family_name, name_key, full_name)
    return _Parts(
        given=given,
        family=family,
        national_id=ascii_key(national_id).replace(" ", ""),
        postcode=ascii_key(postcode).replace(" ", ""),
        city=ascii_key(city),
        company=ascii_key(company_key),
    )


def block_keys(contact: NormalizedContact, parts: KeyParts | None = None) -> tuple[str, ...]:
    """Return the blocking keys of a contact: strong keys first, then weak keys, no duplicates.

    Args:
        contact: The normalized contact.
        parts: Its `key_parts`, when the caller already has them (e.g. the contact's
            `MatchFeatures`, which carry the same keys); computed when None.

    Returns:
        A tuple of `kind:hash` keys, deterministic for equal inputs. Empty when the contact
        carries nothing to block on.
    """
    if parts is None:
        parts = key_parts(contact)
    keys: list[str] = []
    keys.extend(_hashed("em", email) for email in contact.emails[:MAX_KEYS_PER_KIND] if email)
    keys.extend(_hashed("ph", phone.e164) for phone in contact.phones[:MAX_KEYS_PER_KIND])
    national_id = parts.national_id
    if national_id:
        keys.append(_hashed("id", national_id))

    given, family = parts.given, parts.family
    given_code = phonetic(given.split()[0]) if given else ""
    family_code = phonetic(family)
    initial = given[:1]
    birth = contact.birth_date.isoformat() if contact.birth_date else ""
    postcode, city, company = parts.postcode, parts.city, parts.company

    for code in (given_code, family_code):
        if code and birth:
            keys.append(_hashed("nb", code, birth))
        if code and postcode:
            keys.append(_hashed("np", code, postcode))
    if family_code and city:
        keys.append(_hashed("nc", family_code, initial, city))
    if family_code and company:
        keys.append(_hashed("nk", family_code, initial, company))
    if birth and postcode:
        keys.append(_hashed("bp", birth, postcode))
    return tuple(dict.fromkeys(keys))
