"""A small labelled multilingual CRM sample, built directly as `NormalizedContact` values.

Stand-in for `sample_data/generator.py` (not available when the matcher was written): it skips
raw events and normalizers and produces what the normalizers are specified to output (name_key
transliterated given-first, E.164 phones, lowercase emails, alpha-2 countries, company keys
without legal forms). It covers what FEBRL lacks: emails, phones, companies, owners, Han and
Persian names next to their pinyin / Latin spellings, common names (王伟, John Smith) that
repeat across different people, and households that share a surname, an address and a
landline.

Benchmark code only: deterministic for a seed; must not be imported by the service.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from anyascii import anyascii

from bench.febrl import LabelledContact
from schemas.records import NormalizedContact, Phone

_LATIN_GIVEN = (
    "john",
    "maria",
    "josé",
    "anna",
    "peter",
    "françois",
    "lena",
    "omar",
    "sofia",
    "david",
    "emma",
    "lucas",
    "chloé",
    "ali",
    "nina",
    "paul",
    "sara",
    "jürgen",
)
_LATIN_FAMILY = (
    "smith",
    "garcía",
    "müller",
    "johnson",
    "brown",
    "rossi",
    "dubois",
    "novak",
    "kowalski",
    "silva",
    "jansen",
    "berg",
    "o'neil",
    "nguyen",
    "schmidt",
    "martin",
)
_HAN_FAMILY = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵")
_HAN_GIVEN = ("伟", "小明", "秀英", "静", "丽", "强", "磊", "洋", "艳", "军", "杰", "娜")
_PERSIAN_GIVEN = ("محمد", "علی", "زهرا", "فاطمه", "رضا", "مریم", "حسین", "نیک")
_PERSIAN_FAMILY = ("رضایی", "احمدی", "محمدی", "حسینی", "کریمی", "نیک‌پور")
_CITIES = (
    ("berlin", "10115", "DE"),
    ("paris", "75001", "FR"),
    ("beijing", "100000", "CN"),
    ("shanghai", "200000", "CN"),
    ("tehran", "11369", "IR"),
    ("new york", "10001", "US"),
    ("madrid", "28001", "ES"),
)
_STREETS = (
    "main",
    "park",
    "lake",
    "hill",
    "oak",
    "river",
    "station",
    "church",
    "mill",
    "north",
    "garden",
    "market",
    "bridge",
    "castle",
    "forest",
    "meadow",
    "spring",
    "harbour",
)
_COMPANIES = (
    "acme",
    "globex",
    "initech",
    "umbrella",
    "huawei tech",
    "pars soft",
    "stark",
    "wayne enterprises",
    "hooli",
    "vandelay",
    "cyberdyne",
    "soylent",
    "tyrell",
    "aperture",
    "massive dynamic",
    "oscorp",
    "wonka",
    "nakatomi",
    "gringotts",
    "dunder mifflin",
)
_OWNERS = ("owner-a", "owner-b", "owner-c")


def _zipf_choice(rng: random.Random, pool: tuple[str, ...]) -> str:
    """Pick from `pool` with weights 1/rank, so the first names are common."""
    return rng.choices(pool, weights=[1 / (i + 1) for i in range(len(pool))])[0]


def _key(text: str) -> str:
    return " ".join(anyascii(text).lower().replace("'", "").split())


def _phone(rng: random.Random, country: str, kind: str) -> Phone:
    prefixes = {
        "CN": "+861",
        "IR": "+989",
        "DE": "+4915",
        "FR": "+336",
        "US": "+1212",
        "ES": "+346",
    }
    number = prefixes[country] + "".join(rng.choice("0123456789") for _ in range(9))
    return Phone(e164=number, region=country, kind=kind, valid=True)


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _person(rng: random.Random, person_id: int) -> NormalizedContact:
    script = rng.choices(("latin", "han", "arabic"), weights=(6, 3, 2))[0]
    if script == "latin":
        given, family = _zipf_choice(rng, _LATIN_GIVEN), _zipf_choice(rng, _LATIN_FAMILY)
        full = f"{given.title()} {family.title()}"
        city, postcode, country = rng.choice([c for c in _CITIES if c[2] not in ("CN", "IR")])
    elif script == "han":
        given, family = _zipf_choice(rng, _HAN_GIVEN), _zipf_choice(rng, _HAN_FAMILY)
        full = family + given
        city, postcode, country = rng.choice([c for c in _CITIES if c[2] == "CN"])
    else:
        given, family = _zipf_choice(rng, _PERSIAN_GIVEN), _zipf_choice(rng, _PERSIAN_FAMILY)
        full = f"{given} {family}"
        city, postcode, country = _CITIES[4]
    name_key = f"{_key(given).replace(' ', '')} {_key(family).replace(' ', '')}"
    local = name_key.replace(" ", ".") + str(rng.randrange(1000))
    company = rng.choice(_COMPANIES)
    return NormalizedContact(
        full_name=full,
        given_name=given,
        family_name=family,
        name_script=script,
        name_key=name_key,
        emails=(f"{local}@{rng.choice(('gmail.com', 'qq.com', 'example.org'))}",),
        phones=(_phone(rng, country, "mobile"),),
        company=company.title(),
        company_key=company,
        street=f"{rng.randrange(1, 400)} {rng.choice(_STREETS)} {rng.choice(('street', 'road'))}",
        city=city,
        postcode=str(int(postcode) + rng.randrange(300)).zfill(len(postcode)),
        country=country,
        birth_date=date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)),
        attributes={"person": person_id},
    )


def _household_member(rng: random.Random, head: NormalizedContact) -> NormalizedContact:
    """Another person at the head's address: same surname and landline, other given name."""
    pool = {"han": _HAN_GIVEN, "arabic": _PERSIAN_GIVEN}.get(head.name_script or "", _LATIN_GIVEN)
    given = rng.choice([g for g in pool if g != head.given_name])
    family = head.family_name or ""
    name_key = f"{_key(given).replace(' ', '')} {_key(family).replace(' ', '')}"
    full = family + given if head.name_script == "han" else f"{given.title()} {family.title()}"
    return head.model_copy(
        update={
            "full_name": full,
            "given_name": given,
            "name_key": name_key,
            "emails": (f"{name_key.replace(' ', '_')}{rng.randrange(99)}@gmail.com",),
            "birth_date": date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)),
        }
    )


def _variant(rng: random.Random, base: NormalizedContact) -> NormalizedContact:
    """Another record of the same person, entered elsewhere, with realistic differences."""
    changes: dict[str, object] = {}
    roll = rng.random()
    if base.name_script == "han" and roll < 0.5:
        # Entered in pinyin by another team: Latin display name, same name_key.
        given, family = base.name_key.split() if base.name_key else ("", "")
        changes |= {
            "full_name": f"{given.title()} {family.title()}",
            "given_name": given.title(),
            "family_name": family.title(),
            "name_script": "latin",
        }
    elif roll < 0.25:
        changes |= {
            "given_name": base.family_name,
            "family_name": base.given_name,
            "name_key": " ".join(reversed((base.name_key or "").split())),
        }
    elif roll < 0.5 and base.name_script == "latin" and base.family_name:
        family = _typo(rng, base.family_name)
        changes |= {
            "family_name": family,
            "name_key": f"{_key(base.given_name or '')} {_key(family)}",
        }
    if rng.random() < 0.3:
        changes["emails"] = ()
    elif rng.random() < 0.2:
        changes["emails"] = (f"{(base.name_key or 'x').replace(' ', '')}@work.example",)
    if rng.random() < 0.3:
        changes["phones"] = ()
    elif rng.random() < 0.15:
        changes["phones"] = (_phone(rng, base.country or "US", "mobile"),)
    if rng.random() < 0.3:
        changes["birth_date"] = None
    if rng.random() < 0.2:
        changes |= {"company": None, "company_key": None}
    if rng.random() < 0.2:
        changes |= {"street": None, "postcode": None}
    return base.model_copy(update=changes)


def generate_crm_sample(persons: int = 600, seed: int = 7) -> list[LabelledContact]:
    """Return a labelled stream of contacts for `persons` people (about 1.6 records each).

    Args:
        persons: Number of distinct people (households add members on top).
        seed: Random seed; the same seed gives the same stream.

    Returns:
        Records in a shuffled stream order, each with its true person and an owner.
    """
    rng = random.Random(seed)
    people: list[NormalizedContact] = []
    for person_id in range(persons):
        head = _person(rng, person_id)
        people.append(head)
        if rng.random() < 0.12:
            landline = _phone(rng, head.country or "US", "fixed_line")
            head = head.model_copy(update={"phones": (*head.phones, landline)})
            people[-1] = head
            member = _household_member(rng, head)
            people.append(member.model_copy(update={"phones": (landline,), "attributes": {"person": -person_id - 1}}))
    stream: list[LabelledContact] = []
    for number, person in enumerate(people):
        entity = f"p{person.attributes['person']}"
        owner = rng.choice(_OWNERS)
        records = [person] + [_variant(rng, person) for _ in range(rng.choice((0, 0, 1, 1, 2)))]
        for copy, contact in enumerate(records):
            record_owner = owner if rng.random() < 0.9 else rng.choice(_OWNERS)
            stream.append(
                LabelledContact(
                    f"crm-{number}-{copy}",
                    contact.model_copy(update={"attributes": {}}),
                    entity,
                    record_owner,
                )
            )
    rng.shuffle(stream)
    return stream
