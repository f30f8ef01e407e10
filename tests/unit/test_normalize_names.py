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


# --- The fast paths against the general path -------------------------------------------------
# Plain names (letters joined by single spaces, hyphens, apostrophes or ZWNJs, no title) skip
# the cleaning passes, and the cleaning passes skip a regex when their `in` test says it cannot
# match. Each must return exactly what the general path returns.


def _general_clean(raw, field, notes, *, strip_prefix, strip_suffix):
    """`_clean_uncached` with every pass run unconditionally (the code before its shortcuts)."""
    from agents.core.normalize import names as module
    from agents.core.normalize.text import Note, fold_text

    text = fold_text(raw).translate(module._APOSTROPHES)
    if text.isalpha():
        if module._CJK_CHARS.search(text) is None or not (strip_prefix or strip_suffix):
            return text
        return module._strip_titles(
            text, strip_prefix=strip_prefix, strip_suffix=strip_suffix, field=field, notes=notes
        )
    has_disallowed = module._NAME_CHARACTERS.fullmatch(text) is None and module._DISALLOWED.search(text) is not None
    cleaned = module._DISALLOWED.sub(" ", text) if has_disallowed else text
    cleaned = module._SEPARATOR_RUNS.sub(r"\1", fold_text(module._DOTS.sub(". ", cleaned))).strip(module._PART_EDGES)
    cleaned = module._FOREIGN_NAME_DOT.sub("·", module._DOTS_AT_COMMA.sub(",", cleaned))
    if has_disallowed and cleaned:
        notes.append(Note("name_characters_removed", field=field, before=raw, after=cleaned, applied=True))
    if strip_prefix or strip_suffix:
        cleaned = module._strip_titles(
            cleaned, strip_prefix=strip_prefix, strip_suffix=strip_suffix, field=field, notes=notes
        )
    return cleaned


def _general_name(full_name, first, middle, last):
    """`normalize_name` by the general path alone: every part cleaned, then cased and split."""
    from agents.core.normalize import names as module
    from agents.core.normalize.text import Note, detect_script

    full_name, first, middle, last = full_name or "", first or "", middle or "", last or ""
    notes = []

    def clean(raw, field, *, strip_prefix, strip_suffix):
        if not raw or raw.isspace():
            return ""
        return _general_clean(raw, field, notes, strip_prefix=strip_prefix, strip_suffix=strip_suffix)

    has_parts = bool(first.strip() or last.strip() or middle.strip())
    given = clean(first, "first_name", strip_prefix=True, strip_suffix=False)
    middle_clean = clean(middle, "middle_name", strip_prefix=False, strip_suffix=False)
    family = clean(last, "last_name", strip_prefix=not given, strip_suffix=True)
    display = clean(full_name, "full_name", strip_prefix=True, strip_suffix=True)
    script = detect_script(" ".join(p for p in (display, given, middle_clean, family) if p))
    if has_parts:
        given, middle_clean, family = module._case_parts(given, middle_clean, family)
        composed = module._compose(given, middle_clean, family, script)
        display = module._case_full(display) if display and not module._is_comma_form(display) else composed
    elif display:
        given, middle_clean, family, display = module._split_full(module._case_full(display), script)
    if not (display or given or family):
        if full_name.strip() or has_parts:
            notes.append(Note("name_invalid", before=full_name or f"{first} {last}".strip()))
        return (None, None, None, None, None, None, tuple(notes))
    key = name_key(given, family) or name_key(display, None)
    return (display or None, given or None, middle_clean or None, family or None, script, key, tuple(notes))


GIVEN_NAMES = [
    *("José", "Hans-Peter", "JEAN", "mary", "François", "Łukasz", "Søren", "ÉMILIE", "zoë", "Nguyễn Văn", "Ｊａｍｅｓ"),
    *("Jean-Luc", "o'neil", "O’Brien", "d'Artagnan", "Anne Marie", "Mary-Kate", "A.", "J. R. R.", "ß", "ǆ", "Ⅻ"),
    *("小明", "娜娜", "志强", "太郎", "花子", "やまだ", "민준", "نرگس", "فاطمه", "علي", "محمد", "Иван", "Γιάννης"),
]
FAMILY_NAMES = [
    *("García", "Müller", "Dupont", "mcdonald", "van der Berg", "VAN DER BERG", "de la Cruz", "López Martínez"),
    *("Lefèvre", "Côté", "O'NEIL", "Schäfer", "Smith Jr.", "Doe PhD", "Gates III", "ßИ", "Straße"),
    *("王", "李", "欧阳", "山田", "佐藤", "김", "남궁", "محمدي", "محمدی", "رضایی", "کریمي", "نیک\u200cپور"),
    *("نیک\u200c\u200cپور", "\u200cنیک", "تقی\u200cزاده", "Петров", "Παπαδόπουλος", "王先生", "山田様", "ـــ"),
]
HONORIFICS = ["Mr.", "MR", "Dr.", "Prof.", "Sra.", "Herr", "Mme", "آقای", "خانم", "دکتر", "г-н", "Don", "M."]
SUFFIXES = ["Jr.", "III", "PhD", "M.D.", "Esq", "V", "先生", "さん", "様"]
SEPARATORS = [" ", "  ", "-", "'", "’", "\u200c", ", ", ",", ".", "·", "・", " \t", "　", ""]


@st.composite
def realistic_names(draw):
    """Multilingual full names: titles, suffixes, comma forms, odd separators and case."""
    given = draw(st.sampled_from(GIVEN_NAMES))
    family = draw(st.sampled_from(FAMILY_NAMES))
    separator = draw(st.sampled_from(SEPARATORS))
    name = draw(st.sampled_from([f"{given}{separator}{family}", f"{family}{separator}{given}", f"{family}, {given}"]))
    if draw(st.booleans()):
        name = f"{draw(st.sampled_from(HONORIFICS))} {name}"
    if draw(st.booleans()):
        name = f"{name}{draw(st.sampled_from(['', ' ', ', ']))}{draw(st.sampled_from(SUFFIXES))}"
    case = draw(st.sampled_from([str, str.upper, str.lower, str.title]))
    return case(name)


name_parts = st.none() | names | realistic_names() | st.sampled_from(GIVEN_NAMES + FAMILY_NAMES + HONORIFICS)


def _fields(result):
    return (*result[:6], result.notes)


@given(names | realistic_names())
@example("Anthony Taylor")
@example("ß Иван")  # casing "ß" as "Ss" adds a Latin letter: the script counts the letters as received
def test_full_name_fast_paths_equal_the_general_path(raw):
    _clear_name_caches()
    assert _fields(normalize_name(raw)) == _general_name(raw, None, None, None)


@given(name_parts, name_parts, st.none() | st.sampled_from(["", "R.", "Maria", "van", "ß"]) | names, name_parts)
@example(None, "ß", None, "王")
@example("Léa Martin", "Léa", None, "Martin")
def test_name_part_fast_paths_equal_the_general_path(full_name, first, middle, last):
    _clear_name_caches()
    result = normalize_name(full_name, first_name=first, middle_name=middle, last_name=last)
    assert _fields(result) == _general_name(full_name, first, middle, last)


@given(names | realistic_names() | st.sampled_from(GIVEN_NAMES + FAMILY_NAMES), st.booleans(), st.booleans())
def test_cleaning_shortcuts_equal_every_pass(raw, strip_prefix, strip_suffix):
    from agents.core.normalize.names import _clean_uncached, _plain_text

    notes, expected_notes = [], []
    cleaned = _clean_uncached(raw, "full_name", notes, strip_prefix=strip_prefix, strip_suffix=strip_suffix)
    expected = _general_clean(raw, "full_name", expected_notes, strip_prefix=strip_prefix, strip_suffix=strip_suffix)
    assert (cleaned, notes) == (expected, expected_notes)
    plain = _plain_text(raw)
    if plain is not None:  # plain text is cleaned into itself, reporting nothing, whatever the flags
        assert (plain, notes) == (cleaned, [])


def _clear_name_caches():
    # Cached parts from other examples must not hide a difference between the paths.
    from agents.core.normalize import names as module

    for value in vars(module).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()
