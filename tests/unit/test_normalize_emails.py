import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from agents.core.normalize.emails import (
    TypoPolicy,
    canonical_email,
    normalize_email,
    reference_canonical_email,
    suggest_domain,
)

POLICY = TypoPolicy(
    typo_domains={"gmial.com": "gmail.com", "hotmial.com": "hotmail.com", "yaho.com": "yahoo.com"},
    providers=("gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "mail.com", "qq.com"),
    tld_typos={"con": "com"},
)

# Tricky inputs: the fast path must agree with email-validator on every one of them.
TRICKY = [
    " XiaoMing.Wang@Example.COM ",
    "a@b",
    "a@b.c",
    "a@b.c1",
    "a@1.com",
    "a.@x.com",
    ".a@x.com",
    "a..b@x.com",
    "a@x..com",
    "a@-x.com",
    "a@x-.com",
    "a@x.-com",
    "a@xn--bcher-kva.de",
    "a@xn--zz.de",
    "a@ab--cd.com",
    "a@localhost",
    "a@x.local",
    "a@x.invalid",
    "a@x.onion",
    "a@x.arpa",
    "a@example.com",
    "a+tag@gmail.com",
    "o'brien@x.ie",
    "{x}|~@x.com",
    '"quoted"@x.com',
    "a b@x.com",
    "a@x.com.",
    "Name <a@x.com>",
    "a@[1.2.3.4]",
    "a@@x.com",
    "@x.com",
    "a@",
    "x" * 64 + "@x.com",
    "x" * 65 + "@x.com",
    "a@" + "x" * 63 + ".com",
    "a@" + "x" * 64 + ".com",
    "a@" + ("x" * 60 + ".") * 4 + "com",
    "a@" + ("x" * 50 + ".") * 5 + "com",
    "ü@bücher.de",
    "用户@例子.广告",
    "a@ＥＸＡＭＰＬＥ.com",
    "a＠x.com",
    "a@x.co\u200b",
    "\tA@X.COM\n",
    "a@x_y.com",
    "a@x.c_m",
    "a@123.456",
]


@pytest.mark.parametrize("raw", TRICKY)
def test_fast_path_equals_email_validator_on_tricky_inputs(raw):
    assert canonical_email(raw) == reference_canonical_email(raw)


ATOMS = st.sampled_from(list("aZ09._-+!#'@\"xn-- ") + ["xn--", "example", "com", "local", "..", "@", "ü", ".de"])


@settings(max_examples=400)
@given(st.lists(ATOMS, max_size=12).map("".join))
@example("a@b.com")
def test_fast_path_equals_email_validator_on_generated_addresses(raw):
    assert canonical_email(raw) == reference_canonical_email(raw)


@settings(max_examples=200)
@given(st.text(max_size=80))
def test_fast_path_equals_email_validator_on_any_text(raw):
    assert canonical_email(raw) == reference_canonical_email(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" XiaoMing.Wang@Example.COM ", "xiaoming.wang@example.com"),
        ("ÜSER@Bücher.DE", "üser@bücher.de"),
        ("a@xn--bcher-kva.de", "a@bücher.de"),
        ("Ali.Rezaei@Mail.IR", "ali.rezaei@mail.ir"),
    ],
)
def test_normalize_email_lowercases_and_decodes_idn(raw, expected):
    assert normalize_email(raw).value == expected


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("li@gmial.com", "li@gmail.com"),
        ("li@hotmial.com", "li@hotmail.com"),
        ("li@yaho.com", "li@yahoo.com"),
        ("li@gmail.con", "li@gmail.com"),
        ("li@outlok.com", "li@outlook.com"),
    ],
)
def test_typo_domains_are_warned_not_changed_unless_fix(raw, suggestion):
    warned = normalize_email(raw, policy=POLICY)
    assert warned.value == raw
    assert [(n.code, n.after, n.applied) for n in warned.notes] == [("email_typo_domain", suggestion, False)]
    fixed = normalize_email(raw, policy=POLICY, fix_typos=True)
    assert fixed.value == suggestion
    assert fixed.notes[0].applied


def test_real_providers_and_short_domains_are_not_typos():
    assert suggest_domain("mail.com", POLICY) is None
    assert suggest_domain("qq.com", POLICY) is None
    assert suggest_domain("aq.com", POLICY) is None


def test_invalid_email_note():
    result = normalize_email("not-an-email")
    assert result.value is None
    assert [n.code for n in result.notes] == ["email_invalid"]
    assert normalize_email("   ").notes == ()


@given(st.text())
def test_normalize_email_is_idempotent_and_never_raises(raw):
    once = normalize_email(raw, policy=POLICY)
    if once.value is not None:
        assert normalize_email(once.value, policy=POLICY).value == once.value


@pytest.mark.parametrize(
    "raw",
    [
        "a@b.test",
        "a@test.com",
        "a@b.localhost",
        "a@b.local",
        "a@mylocal.com",
        "a@b.TEST",
        "a@x.onion",
        "a@in-addr.arpa",
        "a@arpa.example",
        "a@b.invalid",
        "a@notinvalid.org",
    ],
)
def test_fast_path_equals_email_validator_on_special_use_domains(raw):
    assert canonical_email(raw) == reference_canonical_email(raw)


@pytest.mark.parametrize("raw", ["a@b.tEsT", "a@b.LocalHost", "a@x.onion.", "a@onionx.com", "a@x.xonion"])
def test_fast_path_equals_email_validator_on_special_use_look_alikes(raw):
    # The fast path looks at the last label before running the special-use regex.
    assert canonical_email(raw) == reference_canonical_email(raw)


def _suggest_over_all_providers(domain, policy):
    """`suggest_domain`'s edit-distance step over every provider (what the length filter must equal)."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    best = process.extractOne(domain, policy.providers, scorer=OSA.distance, score_cutoff=1)
    return None if best is None else str(best[0])


WIDE_POLICY = TypoPolicy(
    providers=(
        "gmail.com",
        "gmial.co",
        "googlemail.com",
        "yahoo.co.jp",
        "yahoo.co.uk",
        "mail.ru",
        "mail.com",
        "web.de",
    ),
    min_fuzzy_length=1,
)


@settings(max_examples=500)
@given(
    st.sampled_from(WIDE_POLICY.providers).flatmap(
        lambda provider: st.tuples(st.just(provider), st.integers(0, len(provider)), st.text("acgilmo.jkw", max_size=2))
    )
    | st.tuples(st.text("acegilmo.ukjpr", min_size=1, max_size=16), st.just(0), st.just(""))
)
@example(("gmail.com", 1, ""))  # "gail.com": one deletion, nearer than nothing
@example(("mail.com", 0, "g"))  # "gmail.com" itself is a provider: not a typo
@example(("yahoo.co.jp", 10, "k"))  # ties between providers: the first in policy order wins
def test_suggest_domain_length_filter_equals_all_providers(case):
    provider, cut, insert = case
    domain = provider[:cut] + insert + provider[cut + 1 :] if insert or cut else provider
    if domain in WIDE_POLICY.providers or not domain:
        return
    assert suggest_domain(domain, WIDE_POLICY) == _suggest_over_all_providers(domain, WIDE_POLICY)
