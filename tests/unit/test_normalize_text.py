import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from agents.core.normalize.text import ZWNJ, ascii_digits, ascii_key, collapse_whitespace, detect_script, fold_text

PERSIAN_ARABIC = "يىكةـًٌٍَُِّْٰ۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩" + ZWNJ + "\u200b\u200d\ufeff"
texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(PERSIAN_ARABIC + "　ＡＺ０９ "))


def test_fold_text_persian_arabic_letters_digits_and_marks():
    assert fold_text("  علي   كريمي ") == "علی کریمی"
    assert fold_text("مُحَمَّد") == "محمد"
    assert fold_text("عـــلی") == "علی"
    assert fold_text("۱۲۳٤٥") == "12345"
    assert fold_text("ＪＯＨＮ　ＳＭＩＴＨ") == "JOHN SMITH"


def test_fold_text_keeps_zwnj_inside_words_only():
    assert fold_text("نیک\u200cپور") == "نیک\u200cپور"
    assert fold_text("نیک\u200c\u200cپور") == "نیک\u200cپور"
    assert fold_text("\u200cنیک \u200c پور\u200c") == "نیک پور"


def test_ascii_key_drops_zwnj_and_transliterates():
    assert ascii_key("نیک\u200cپور") == ascii_key("نیکپور") == "nykpwr"
    assert ascii_key("José") == "jose"
    assert ascii_key("王小明") == "wangxiaoming"
    assert ascii_digits("۰۹۱۲") == "0912"


def test_detect_script():
    assert detect_script("John") == "latin"
    assert detect_script("王小明") == "han"
    assert detect_script("やまだ たろう") == "kana"
    assert detect_script("محمد") == "arabic"
    assert detect_script("Иван") == "cyrillic"
    assert detect_script("123") is None


@given(texts)
def test_fold_text_is_idempotent_and_never_raises(text):
    assert fold_text(fold_text(text)) == fold_text(text)
    ascii_key(text)
    detect_script(text)


_EVERY_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() or re.match(r"\s", chr(c)))


@given(st.text(alphabet=st.sampled_from(_EVERY_WHITESPACE + "ab\u200b\u200c\xa0")))
def test_collapse_whitespace_equals_the_regex_form(text):
    assert collapse_whitespace(text) == re.sub(r"\s+", " ", text).strip()


def test_split_and_regex_agree_on_every_whitespace_character():
    assert all(character.isspace() == bool(re.match(r"\s", character)) for character in _EVERY_WHITESPACE)


def test_char_script_by_bisection_equals_a_scan_of_the_ranges():
    from agents.core.normalize.text import _SCRIPT_RANGES, char_script

    starts = [low for low, _, _ in _SCRIPT_RANGES]
    assert starts == sorted(starts)
    assert all(
        high < next_low for (_, high, _), (next_low, _, _) in zip(_SCRIPT_RANGES, _SCRIPT_RANGES[1:], strict=False)
    )
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if not character.isalpha():
            continue
        expected = next((script for low, high, script in _SCRIPT_RANGES if low <= code <= high), "other")
        assert char_script(character) == expected, hex(code)


# --- The shortcuts against the plain definitions ---------------------------------------------


def test_transliterate_equals_anyascii_on_every_code_point():
    from anyascii import anyascii

    from agents.core.normalize.text import transliterate

    for code in range(sys.maxunicode + 1):
        character = chr(code)
        assert transliterate(character) == anyascii(character), hex(code)
    assert transliterate(ZWNJ) == ""  # ascii_key_of_folded relies on it to drop ZWNJ


def test_script_codes_equal_char_script_on_every_code_point():
    from agents.core.normalize.text import _SCRIPT_OF_CODE, char_script, script_codes

    for code in range(sys.maxunicode + 1):
        character = chr(code)
        codes = script_codes(character)
        assert (_SCRIPT_OF_CODE[codes] if codes else None) == char_script(character), hex(code)


MULTILINGUAL = "王小明やまだヤマダ김민준محمدیرضایيكИванΓιάννηςJoséßǆ्กאב" + PERSIAN_ARABIC
mixed_texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(MULTILINGUAL + " .-'"))


@given(mixed_texts)
def test_detect_script_equals_counting_every_letter(text):
    from collections import Counter

    from agents.core.normalize.text import char_script

    counts = Counter(script for script in map(char_script, text) if script is not None)
    if not counts:
        expected = None
    elif "kana" in counts:
        expected = "kana"
    else:
        expected = max(sorted(counts), key=counts.__getitem__)
    assert detect_script(text) == expected


@given(texts | mixed_texts)
def test_fold_text_and_ascii_key_equal_their_unconditional_forms(text):
    import unicodedata

    from anyascii import anyascii

    from agents.core.normalize.text import _FOLD_TABLE, _NON_ALNUM, _ZWNJ_LOOSE, _ZWNJ_RUNS, ascii_key_of_folded

    expected = text
    if not text.isascii():
        normalized = unicodedata.normalize("NFKC", text)
        expected = normalized.translate(_FOLD_TABLE)
        if expected != normalized:
            expected = unicodedata.normalize("NFKC", expected)
        if ZWNJ in expected:
            expected = _ZWNJ_LOOSE.sub("", _ZWNJ_RUNS.sub(ZWNJ, expected))
    expected = re.sub(r"\s+", " ", expected).strip()
    assert fold_text(text) == expected
    for folded in (expected, text):
        assert ascii_key_of_folded(folded) == _NON_ALNUM.sub(" ", anyascii(folded.replace(ZWNJ, "")).lower()).strip()
