import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from agents.core.normalize.names import _LATIN_LETTER, name_key, normalize_name, phonetic_key

NAME_CASES = [
    # raw, display, given, family, key, notes
    ("王小明", "王小明", "小明", "王", "xiaoming wang", ()),
    ("王小明先生", "王小明", "小明", "王", "xiaoming wang", ("name_honorific_removed",)),
    ("欧阳娜娜", "欧阳娜娜", "娜娜", "欧阳", "nana ouyang", ()),
    ("山田太郎", "山田太郎", "太郎", "山田", "tailang shantian", ()),
    ("山田 太郎", "山田 太郎", "太郎", "山田", "tailang shantian", ()),
    ("김민준", "김민준", "민준", "김", "minjun gim", ()),
    ("约翰·史密斯", "约翰·史密斯", "约翰", "史密斯", "yuehan shimisi", ()),
    ("JOHN o'neil", "John O'Neil", "John", "O'Neil", "john oneil", ()),
    ("john mcdonald", "John McDonald", "John", "McDonald", "john mcdonald", ()),
    (
        "ludwig VAN BEETHOVEN",
        "Ludwig van Beethoven",
        "Ludwig",
        "van Beethoven",
        "ludwig van beethoven",
        (),
    ),
    ("Jan van der Berg", "Jan van der Berg", "Jan", "van der Berg", "jan van der berg", ()),
    ("O'NEIL, john", "John O'Neil", "John", "O'Neil", "john oneil", ()),
    ("VAN DER BERG, JAN", "Jan van der Berg", "Jan", "van der Berg", "jan van der berg", ()),
    ("Müller, Hans-Peter", "Hans-Peter Müller", "Hans-Peter", "Müller", "hans peter muller", ()),
    (
        "Dr. Jane Doe PhD",
        "Jane Doe",
        "Jane",
        "Doe",
        "jane doe",
        ("name_honorific_removed", "name_suffix_removed"),
    ),
    ("John Smith Jr.", "John Smith", "John", "Smith", "john smith", ("name_suffix_removed",)),
    ("José García", "José García", "José", "García", "jose garcia", ()),
    (
        "Sra. María José López",
        "María José López",
        "María",
        "López",
        "maria lopez",
        ("name_honorific_removed",),
    ),
    ("François Lefèvre", "François Lefèvre", "François", "Lefèvre", "francois lefevre", ()),
    ("ＪＯＨＮ　ＳＭＩＴＨ", "John Smith", "John", "Smith", "john smith", ()),
    ("آقای محمد رضایی", "محمد رضایی", "محمد", "رضایی", "mhmd rdyy", ("name_honorific_removed",)),
    ("علي كريمي", "علی کریمی", "علی", "کریمی", "ly krymy", ()),
    ("Иван Петров", "Иван Петров", "Иван", "Петров", "ivan petrov", ()),
]


@pytest.mark.parametrize(("raw", "display", "given_name", "family", "key", "codes"), NAME_CASES)
def test_normalize_full_name(raw, display, given_name, family, key, codes):
    result = normalize_name(raw)
    assert (result.full_name, result.given_name, result.family_name, result.key) == (
        display,
        given_name,
        family,
        key,
    )
    assert tuple(note.code for note in result.notes) == codes


def test_name_parts_win_and_compose_in_script_order():
    result = normalize_name(first_name="小明", last_name="王")
    assert (result.full_name, result.key, result.script) == ("王小明", "xiaoming wang", "han")
    latin = normalize_name(first_name="JOHN", last_name="VAN DER BERG")
    assert (latin.full_name, latin.family_name) == ("John van der Berg", "van der Berg")


def test_zwnj_variants_share_a_key():
    assert normalize_name("زهرا نیک\u200cپور").key == normalize_name("زهرا نیکپور").key


def test_name_without_letters_is_invalid():
    result = normalize_name("12345 ???")
    assert result.full_name is None
    assert [note.code for note in result.notes] == ["name_invalid"]
    assert normalize_name("   ").notes == ()


def test_keys_and_phonetic_keys():
    assert name_key("小明", "王") == "xiaoming wang"
    assert name_key(None, None) is None
    assert phonetic_key("Philip") == phonetic_key("Filip")
    assert phonetic_key("Stephen Smith") == phonetic_key("steven smyth")
    assert phonetic_key("") == ""


names = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("王小明 Jo'n-Mc,.·ـيك\u200c ")).map(str)


@given(names)
@example("A0.V")  # suffix "V" removed from "A . V" once left "A ." behind
@example("A.,A")  # the comma form once composed "A A."
def test_normalize_name_is_idempotent_and_never_raises(raw):
    once = normalize_name(raw)
    twice = normalize_name(once.full_name)
    assert twice.full_name == once.full_name
    again = normalize_name(first_name=once.given_name, middle_name=once.middle_name, last_name=once.family_name)
    assert (
        normalize_name(first_name=again.given_name, middle_name=again.middle_name, last_name=again.family_name) == again
    )
    phonetic_key(raw)


def test_latin_letter_class_matches_the_case_rule_on_every_code_point():
    def latin(char):
        return ("a" <= char.lower() <= "z") or ("\u00c0" <= char <= "\u024f") or ("\u1e00" <= char <= "\u1eff")

    expected = [code for code in range(sys.maxunicode + 1) if latin(chr(code))]
    actual = [code for code in range(sys.maxunicode + 1) if _LATIN_LETTER.match(chr(code))]
    assert actual == expected


@pytest.mark.parametrize(
    ("raw", "display"),
    [("\u212aARL SMITH", "Karl Smith"), ("o'neil-mcdonald", "O'Neil-McDonald")],
)
def test_case_rules_on_kelvin_sign_and_compound_names(raw, display):
    assert normalize_name(raw).full_name == display


def test_comma_form_sides_are_trimmed_like_whole_names() -> None:
    """Found by the idempotence property: "A,·A" kept a name dot that separates nothing."""
    once = normalize_name("A,·A")
    assert once.full_name == "A A"
    assert normalize_name(once.full_name).full_name == once.full_name


def test_name_characters_never_contain_a_disallowed_one():
    # _clean_uncached skips the disallowed-character pass for text of name characters only.
    from agents.core.normalize.names import _DISALLOWED, _NAME_CHARACTERS

    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if _NAME_CHARACTERS.fullmatch(character):
            assert _DISALLOWED.search(character) is None, hex(code)
