import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.core.normalize.companies import SCRIPT_LEGAL_FORMS, normalize_company


@pytest.mark.parametrize(
    ("raw", "display", "key"),
    [
        ("北京某某科技有限公司", "北京某某科技有限公司", "beijingmoumoukeji"),
        ("上海某某股份有限公司", "上海某某股份有限公司", "shanghaimoumou"),
        ("ACME GmbH & Co. KG", "ACME GmbH & Co. KG", "acme"),
        ("Acme, Inc.", "Acme, Inc.", "acme"),
        ("  Acme   Inc ", "Acme Inc", "acme"),
        ("ACME LTD.", "ACME LTD.", "acme"),
        ("Acme Limited", "Acme Limited", "acme"),
        ("Acme LLC", "Acme LLC", "acme"),
        ("Société Générale S.A.", "Société Générale S.A.", "societe generale"),
        ("Telefónica, S.L.", "Telefónica, S.L.", "telefonica"),
        ("Dupont SARL", "Dupont SARL", "dupont"),
        ("Dupont SAS", "Dupont SAS", "dupont"),
        ("Philips B.V.", "Philips B.V.", "philips"),
        ("Siemens AG", "Siemens AG", "siemens"),
        ("トヨタ自動車株式会社", "トヨタ自動車株式会社", "toyotazidongche"),
        ("株式会社トヨタ自動車", "株式会社トヨタ自動車", "toyotazidongche"),
        ("شرکت نفت (سهامی خاص)", "شرکت نفت (سهامی خاص)", "nft"),
        ("AT&T Inc.", "AT&T Inc.", "att"),
        ("", None, None),
    ],
)
def test_company_display_and_key(raw, display, key):
    result = normalize_company(raw)
    assert (result.display, result.key) == (display, key)


def test_legal_form_variants_share_a_key():
    keys = {normalize_company(v).key for v in ("Acme GmbH", "ACME", "acme gmbh.", "Acme G.m.b.H.")}
    assert keys == {"acme"}


@given(st.text())
def test_normalize_company_is_idempotent_and_never_raises(raw):
    once = normalize_company(raw)
    if once.display is not None:
        assert normalize_company(once.display) == once


def test_script_legal_forms_are_never_ascii():
    # company_key skips the script legal forms for ASCII names; that is exact only while this holds.
    assert not any(form.isascii() for form in SCRIPT_LEGAL_FORMS)


def _company_key_every_pass(name):
    """`company_key` with every pass run unconditionally (the code before its shortcuts)."""
    from agents.core.normalize import companies as module
    from agents.core.normalize.text import ZWNJ, ascii_key, ascii_key_of_folded, fold_text

    text = fold_text(name).casefold().replace(ZWNJ, " ")
    if not text.isascii():
        for form in SCRIPT_LEGAL_FORMS:
            text = text.replace(form, " ")
    text = module._PUNCTUATION_KEEP_AMP.sub(lambda match: "" if match.group() == "." else " ", text)
    text = module._AND.sub(" ", text).replace("&", "")
    tokens = text.split()
    while len(tokens) > 1 and tokens[-1] in module.LATIN_LEGAL_FORMS:
        tokens.pop()
    key = " ".join(tokens)
    return ascii_key_of_folded(key) if key.isascii() else ascii_key(key)


COMPANY_WORDS = [
    *("Acme", "ACME", "Globex", "Société", "Générale", "Telefónica", "Comércio", "Müller", "AT&T", "C&A", "Foo_Bar"),
    *("and", "und", "et", "y", "&", "Y", "AND", "andy", "Inc.", "GmbH", "Co.", "KG", "S.A.", "Ltd", "Ltda.", "B.V."),
    *("北京", "科技", "有限公司", "股份有限公司", "公司", "株式会社", "トヨタ", "주식회사", "شرکت", "نفت"),
    *("(سهامی خاص)", "ش.م.م", "داده\u200cپردازان", "ي", "ك", "١٢", "½", "Ⅻ", "(", ")", "/", "-", ",", "."),
]
company_names = st.lists(st.sampled_from(COMPANY_WORDS), max_size=6).flatmap(
    lambda words: st.sampled_from([" ", "", "  ", ", "]).map(lambda separator: separator.join(words))
)


@given(st.text() | company_names)
def test_company_key_shortcuts_equal_every_pass(raw):
    from agents.core.normalize.companies import company_key

    assert company_key(raw) == _company_key_every_pass(raw)
