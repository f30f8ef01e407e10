import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.core.mapping import (
    MappingConfig,
    SourceMapping,
    _renamed,
    _restructured,
    load_mappings,
    map_contact,
)

MAPPINGS = load_mappings("config/mappings.yaml")


@pytest.mark.parametrize(
    ("source", "raw", "expected"),
    [
        (
            "erp",
            {"fullName": "王小明", "mobile": "138 0013 8000", "zip": "100000", "mail": "a@x.com"},
            {
                "full_name": "王小明",
                "phone": "138 0013 8000",
                "postcode": "100000",
                "email": "a@x.com",
            },
        ),
        (
            "shop",
            {
                "firstName": "José",
                "lastName": "García",
                "phoneNumber": "+34 612 34 56 78",
                "postalCode": "28001",
                "emailAddress": "jose@x.es",
            },
            {
                "first_name": "José",
                "last_name": "García",
                "phone": "+34 612 34 56 78",
                "postcode": "28001",
                "email": "jose@x.es",
            },
        ),
        (
            "support",
            {"customer_name": "Ali Rezaei", "contact_email": "ali@x.ir"},
            {"full_name": "Ali Rezaei", "email": "ali@x.ir"},
        ),
        (
            "import",
            {
                "First Name": "Hans",
                "Last Name": "Müller",
                "E-mail": "h@x.de",
                "Country/Region": "DE",
            },
            {"first_name": "Hans", "last_name": "Müller", "email": "h@x.de", "country": "DE"},
        ),
        ("unknown_source", {"fullName": "X", "custom": 1}, {"fullName": "X", "custom": 1}),
    ],
)
def test_map_contact(source, raw, expected):
    assert map_contact(source, raw, MAPPINGS) == expected


def test_crm_legacy_split_join_and_collect():
    mapped = map_contact(
        "crm_legacy",
        {
            "Name": "Müller, Hans",
            "Tel1": "030 1234567",
            "Tel2": "",
            "Mobil": "0171 1234567",
            "Strasse": "Hauptstr.",
            "Hausnummer": 5,
            "Kundennummer": "K-1",
        },
        MAPPINGS,
    )
    assert mapped == {
        "last_name": "Müller",
        "first_name": "Hans",
        "street": "Hauptstr. 5",
        "phones": ["030 1234567", "0171 1234567"],
        "Kundennummer": "K-1",
    }


def test_defaults_fill_only_missing_values():
    config = MappingConfig.model_validate({"sources": {"de_shop": {"defaults": {"country": "DE"}}}})
    assert map_contact("de_shop", {"city": "Berlin"}, config) == {"city": "Berlin", "country": "DE"}
    assert map_contact("de_shop", {"country": "AT"}, config) == {"country": "AT"}
    assert map_contact("de_shop", {"country": " "}, config) == {"country": "DE"}


def test_rename_never_overwrites_a_canonical_value():
    assert map_contact("erp", {"phone": "1", "mobile": "2"}, MAPPINGS) == {
        "phone": "1",
        "mobile": "2",
    }
    assert map_contact("erp", {"mobile": "2", "phone": "1"}, MAPPINGS) == {
        "phone": "1",
        "mobile": "2",
    }


def test_mapping_does_not_modify_input():
    raw = {"fullName": "X"}
    map_contact("erp", raw, MAPPINGS)
    assert raw == {"fullName": "X"}


def test_empty_config_is_identity():
    assert map_contact("erp", {"fullName": "X"}, MappingConfig()) == {"fullName": "X"}


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "full_name", "phone", "email", "x", "y"]),
        st.one_of(st.none(), st.just(""), st.just("  "), st.text(max_size=3), st.integers()),
        max_size=8,
    ),
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "x", "y"]),
        st.sampled_from(["full_name", "phone", "email", "a", "z"]),
        max_size=4,
    ),
)
def test_rename_only_fast_path_equals_the_general_path(contact, rename):
    fast = _renamed(contact, rename)
    general = _restructured(contact, SourceMapping(rename=rename))
    assert list(fast.items()) == list(general.items())  # same keys, values and order
