"""Deterministic generator of messy, multilingual CRM contact-change events with ground truth.

What it is for: the demo / sample stream (``sample_data/contacts.jsonl``), the end-to-end tests,
the matching-accuracy benchmark and the throughput benchmark. It yields ``contact.upserted`` and
``contact.deleted`` events that follow the input event contract (``event-contract.md``), each
paired with the id of the real-world person it describes and the kind of event it is:

* ``original`` - the first record of a person;
* ``duplicate`` - the same person entered again (by another source or owner) with variations:
  typos, nicknames, swapped names, transliteration, Persian/Arabic letter variants, other phone
  formats, email case or typo domain, a job or address change, missing optional fields;
* ``update`` - a later version of a known source record (same ``source`` + ``external_id``);
* ``hard_negative`` - a *different* person built to look like an existing one (family member
  sharing surname + address + landline, a namesake in the same city, a person at a similarly
  named company); it must not be merged with the person it imitates;
* ``invalid`` - a record the service must quarantine: a missing name, neither email nor phone,
  a lead without company, bad email syntax, a 10-digit China mobile, an impossible or future
  birth date, or (``detail`` starting with ``envelope:``) a malformed envelope;
* ``erasure`` - a ``contact.deleted`` request for an earlier source record (at the end).

Every valid record (original, duplicate, update, hard negative) carries a name, an email and a
phone (and a company for leads), so it passes either reading of the required-field rule. Every
duplicate keeps its person's email or mobile number intact (after normalization), so it can be
corroborated by more than its name.

What it must not do: use anything beyond the standard library (no Faker), read the clock, the
environment or the network, or hold the stream in memory. Output depends only on the arguments:
one ``random.Random(seed)`` drives everything, events are yielded one at a time, and only a
bounded window of recent persons and source records is kept.
"""

from __future__ import annotations

import base64
import json
import random
import unicodedata
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from itertools import accumulate
from typing import Any, NamedTuple, TypeVar

KINDS: tuple[str, ...] = (
    "original",
    "duplicate",
    "update",
    "hard_negative",
    "invalid",
    "erasure",
)
"""Every value of ``GeneratedEvent.kind``."""

SOURCES: tuple[str, ...] = ("webform", "erp", "shop", "support", "import", "crm_legacy")
"""Source systems that publish events."""

SOURCE_FIELD_MAP: dict[str, dict[str, str]] = {
    "erp": {"full_name": "fullName", "phone": "mobile", "postcode": "zip", "email": "mail"},
    "shop": {
        "first_name": "firstName",
        "last_name": "lastName",
        "phone": "phoneNumber",
        "postcode": "postalCode",
        "email": "emailAddress",
    },
}
"""Canonical contact field name -> the source's own field name, for sources that differ."""

CONTACT_FIELDS: tuple[str, ...] = (
    "first_name",
    "middle_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "company",
    "job_title",
    "street",
    "city",
    "postcode",
    "state",
    "country",
    "birth_date",
    "gender",
    "linkedin_url",
    "industry",
)
"""Scalar canonical contact fields the generator writes (``emails``/``phones`` lists aside)."""

EXTRA_KEYS: tuple[str, ...] = (
    "newsletter_opt_in",
    "utm_campaign",
    "loyalty_tier",
    "preferred_language",
)
"""Non-contract keys some records carry; the service must pass them through as attributes."""

OWNERS: dict[str, str] = {
    "li.wei": "Sales APAC",
    "chen.j": "Sales APAC",
    "yuki.t": "Sales APAC",
    "reza.k": "Sales MEA",
    "omid.n": "Sales MEA",
    "anna.s": "Sales EMEA",
    "maria.g": "Sales EMEA",
    "j.doe": "Sales Americas",
    "sara.m": "Marketing",
    "tom.b": "Customer Support",
}
"""CRM owners and their departments."""

_SOURCE_WEIGHTS: dict[str, float] = {
    "webform": 0.25,
    "erp": 0.20,
    "shop": 0.18,
    "support": 0.12,
    "import": 0.15,
    "crm_legacy": 0.10,
}
_EXTERNAL_ID_FORMATS: dict[str, str] = {
    "webform": "wf-{:06d}",
    "erp": "C{:07d}",
    "shop": "cust_{}",
    "support": "SUP-{}",
    "import": "imp-{:06d}",
    "crm_legacy": "LEG{:08d}",
}
_YEAR_2026 = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
_UPSERT_SPAN = 358 * 86400.0
_ENVELOPE_DEFECTS: tuple[str, ...] = (
    "missing_event_id",
    "missing_occurred_at",
    "bad_occurred_at",
    "missing_source",
    "missing_contact",
    "contact_not_object",
    "event_id_not_string",
    "schema_version_not_integer",
    "unknown_record_type",
    "unknown_event_type",
)
_DATA_DEFECTS: tuple[tuple[str, float], ...] = (
    ("missing_name", 0.14),
    ("missing_email_and_phone", 0.14),
    ("lead_missing_company", 0.11),
    ("invalid_email", 0.14),
    ("cn_mobile_10_digits", 0.11),
    ("impossible_date", 0.10),
    ("future_birth_date", 0.10),
    ("envelope", 0.16),
)

# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------

T = TypeVar("T")
Pair = tuple[str, str]
"""A value as written locally and its Latin-script form (equal for Latin-script locales)."""


@dataclass(frozen=True, slots=True)
class City:
    """A city with what addresses and landlines there look like.

    Attributes:
        name: Name as written locally.
        latin: Latin-script name.
        states: Ways to write the state/province ("" when not used).
        postcodes: Postcode templates; ``#`` becomes a random digit.
        streets: Street templates (local, Latin); ``{n}`` becomes a house number.
        land_prefixes: Landline national significant number (NSN) prefixes.
        area_len: Length of the area code, for grouping landline digits.
        land_len: Total NSN length of a landline.
        mobile_prefixes: Mobile NSN prefixes when they depend on the city (NANP, Brazil).
        mobile_len: Mobile NSN length when ``mobile_prefixes`` is set.
    """

    name: str
    latin: str
    states: tuple[str, ...]
    postcodes: tuple[str, ...]
    streets: tuple[Pair, ...]
    land_prefixes: tuple[str, ...]
    area_len: int
    land_len: int
    mobile_prefixes: tuple[str, ...] = ()
    mobile_len: int = 0


def _zipf_cum(n: int, s: float) -> list[float]:
    """Cumulative Zipf weights, so the first entries of a list are the most common.

    Args:
        n: Number of entries.
        s: Zipf exponent (0 = uniform).

    Returns:
        Cumulative weights for ``random.Random.choices``.
    """
    total = 0.0
    cum = []
    for i in range(n):
        total += 1.0 / (i + 1) ** s
        cum.append(total)
    return cum


@dataclass(frozen=True, slots=True)
class Locale:
    """Everything needed to invent a person of one country.

    Attributes:
        code: ISO 3166-1 alpha-2 code.
        weight: Relative share of persons.
        cc: Country calling code.
        mobile_trunk: National prefix written before mobile numbers.
        land_trunk: National prefix written before landline numbers.
        mobile_prefixes: Mobile NSN prefixes (unless the city sets its own).
        mobile_len: Mobile NSN length.
        mobile_groups: Digit grouping of a mobile NSN.
        given_m: Male given names (local, Latin), most common first.
        given_f: Female given names (local, Latin), most common first.
        surnames: Family names (local, Latin), most common first.
        native_script: Whether names are normally written in a non-Latin script.
        family_first: Whether the local full-name order is family name first.
        countries: Ways to write the country (names, aliases, codes).
        cities: Cities persons live in.
        company_patterns: (local, Latin) templates with ``{w}`` word, ``{s}`` sector, ``{c}`` city.
        company_words: Distinctive company-name words.
        company_sectors: Sector words of company names.
        email_domains: Personal email domains.
        work_tld: Top-level domain of company email domains.
        date_formats: Birth-date format codes understood by ``_format_date``.
        honorifics_m: Male honorifics; prefixes, or suffixes when ``honorific_suffix``.
        honorifics_f: Female honorifics.
        honorific_suffix: Whether local honorifics follow the name (先生, 様).
        local_titles: Job titles in the local language.
        genders: (male, female) spellings of gender in the local language.
        language: Preferred-language code for the ``preferred_language`` extra key.
        utc_offset: Offset used when a source writes local time.
    """

    code: str
    weight: float
    cc: str
    mobile_trunk: str
    land_trunk: str
    mobile_prefixes: tuple[str, ...]
    mobile_len: int
    mobile_groups: tuple[int, ...]
    given_m: tuple[Pair, ...]
    given_f: tuple[Pair, ...]
    surnames: tuple[Pair, ...]
    native_script: bool
    family_first: bool
    countries: tuple[str, ...]
    cities: tuple[City, ...]
    company_patterns: tuple[Pair, ...]
    company_words: tuple[Pair, ...]
    company_sectors: tuple[Pair, ...]
    email_domains: tuple[str, ...]
    work_tld: str
    date_formats: tuple[str, ...]
    honorifics_m: tuple[str, ...]
    honorifics_f: tuple[str, ...]
    honorific_suffix: bool
    local_titles: tuple[str, ...]
    genders: Pair
    language: str
    utc_offset: float
    given_m_cum: list[float] = field(init=False, repr=False)
    given_f_cum: list[float] = field(init=False, repr=False)
    surname_cum: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Precompute the cumulative Zipf weights of the name lists."""
        object.__setattr__(self, "given_m_cum", _zipf_cum(len(self.given_m), 0.8))
        object.__setattr__(self, "given_f_cum", _zipf_cum(len(self.given_f), 0.8))
        object.__setattr__(self, "surname_cum", _zipf_cum(len(self.surnames), 0.7))


def _same(*names: str) -> tuple[Pair, ...]:
    """Pairs for Latin-script values, whose local and Latin forms are the same.

    Args:
        *names: The values.

    Returns:
        ``(name, name)`` pairs.
    """
    return tuple((n, n) for n in names)


_EN_M = _same(
    "John", "William", "Robert", "James", "Michael", "David", "Richard", "Thomas",
    "Christopher", "Daniel", "Joseph", "Anthony", "Matthew", "Andrew", "Edward", "Benjamin",
    "Steven", "Charles", "Liam", "Noah",
)  # fmt: skip
_EN_F = _same(
    "Mary", "Elizabeth", "Jennifer", "Patricia", "Katherine", "Margaret", "Susan", "Jessica",
    "Sarah", "Emily", "Rebecca", "Victoria", "Samantha", "Olivia", "Charlotte", "Deborah",
    "Alexandra",
)  # fmt: skip
_EN_SURNAMES = _same(
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Clark", "Lewis", "O'Brien", "McDonald", "Walker",
    "Hall", "Young", "Harris", "Robinson", "Wright", "Evans", "Murphy",
)  # fmt: skip
_EN_COMPANY_WORDS = _same(
    "Acme", "Summit", "Blue River", "Northwind", "Pioneer", "Redwood", "Apex", "Keystone",
    "Silver Oak", "Harbor",
)  # fmt: skip
_EN_SECTORS = _same("Software", "Systems", "Logistics", "Consulting", "Analytics", "Health")
_EN_TITLES: tuple[str, ...] = ()
_EN_HON_M = ("Mr.", "Mr", "Dr.")
_EN_HON_F = ("Ms.", "Mrs.", "Dr.")
_MALE_FEMALE = ("M", "F")

NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Bob", "Rob", "Bobby"),
    "James": ("Jim", "Jimmy"),
    "John": ("Johnny", "Jack"),
    "Michael": ("Mike",),
    "David": ("Dave",),
    "Richard": ("Rick", "Dick"),
    "Thomas": ("Tom",),
    "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"),
    "Joseph": ("Joe",),
    "Anthony": ("Tony",),
    "Matthew": ("Matt",),
    "Andrew": ("Andy", "Drew"),
    "Edward": ("Ed", "Ted"),
    "Benjamin": ("Ben",),
    "Steven": ("Steve",),
    "Charles": ("Charlie", "Chuck"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "Jennifer": ("Jen", "Jenny"),
    "Patricia": ("Pat", "Trish"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Margaret": ("Maggie", "Peggy"),
    "Susan": ("Sue",),
    "Jessica": ("Jess",),
    "Rebecca": ("Becky",),
    "Victoria": ("Vicky",),
    "Samantha": ("Sam",),
    "Deborah": ("Debbie",),
    "Alexandra": ("Alex",),
}
"""Formal given name -> nicknames a duplicate may use instead."""

_ROMANIZATION_VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohammad": ("Mohammed", "Muhammad"),
    "Hossein": ("Hosein", "Hussein"),
    "Saeed": ("Said", "Saeid"),
    "Mehdi": ("Mahdi",),
    "Niloufar": ("Niloofar",),
    "Rezaei": ("Rezaee", "Rezayi"),
    "Hosseini": ("Hoseini", "Husseini"),
    "Mousavi": ("Musavi",),
    "Ghasemi": ("Qasemi",),
    "Sato": ("Satoh", "Satō"),
    "Ito": ("Itoh", "Itō"),
    "Kato": ("Katoh",),
    "Taro": ("Tarou", "Tarō"),
    "Sho": ("Shou", "Shō"),
    "Xiaoming": ("Xiao Ming", "Xiao-Ming"),
    "Jianhua": ("Jian Hua",),
    "Zhiqiang": ("Zhi Qiang",),
}
"""Latin spellings that a duplicate may use for a romanized name."""

_HOMOPHONES: dict[str, str] = {
    "明": "铭", "伟": "玮", "丽": "莉", "静": "晶", "军": "君", "敏": "民", "娜": "纳",
    "芳": "方", "杰": "洁", "涛": "韬", "磊": "蕾", "东": "冬", "华": "桦", "英": "瑛",
    "燕": "艳", "郎": "朗", "輔": "介", "咲": "沙", "樹": "木", "美": "実", "翔": "祥",
}  # fmt: skip
"""CJK characters and a same-sounding character mistyped for them by an input method."""

_LOCALES: tuple[Locale, ...] = (
    Locale(
        code="CN",
        weight=0.20,
        cc="86",
        mobile_trunk="",
        land_trunk="0",
        mobile_prefixes=(
            "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
            "152", "155", "158", "159", "177", "180", "186", "187", "188", "189", "199",
        ),
        mobile_len=11,
        mobile_groups=(3, 4, 4),
        given_m=(
            ("伟", "Wei"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("勇", "Yong"),
            ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("刚", "Gang"),
            ("小明", "Xiaoming"), ("建华", "Jianhua"), ("志强", "Zhiqiang"),
            ("晓东", "Xiaodong"), ("浩然", "Haoran"), ("宇轩", "Yuxuan"), ("俊杰", "Junjie"),
            ("鹏", "Peng"), ("斌", "Bin"), ("辉", "Hui"),
        ),
        given_f=(
            ("娜", "Na"), ("芳", "Fang"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"),
            ("艳", "Yan"), ("娟", "Juan"), ("霞", "Xia"), ("秀英", "Xiuying"),
            ("桂英", "Guiying"), ("海燕", "Haiyan"), ("欣怡", "Xinyi"), ("子涵", "Zihan"),
            ("婷", "Ting"), ("雪", "Xue"), ("玲", "Ling"), ("佳怡", "Jiayi"),
            ("梦瑶", "Mengyao"), ("丹", "Dan"), ("慧", "Hui"),
        ),
        surnames=(
            ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
            ("杨", "Yang"), ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"),
            ("徐", "Xu"), ("孙", "Sun"), ("胡", "Hu"), ("朱", "Zhu"), ("高", "Gao"),
            ("林", "Lin"), ("何", "He"), ("郭", "Guo"), ("马", "Ma"), ("罗", "Luo"),
            ("欧阳", "Ouyang"),
        ),
        native_script=True,
        family_first=True,
        countries=("中国", "中国", "China", "China", "PRC", "CN", "CHN", "中华人民共和国",
                   "People's Republic of China"),
        cities=(
            City("北京", "Beijing", ("北京市", "Beijing", ""), ("1000##", "1001##"),
                 (("海淀区中关村大街{n}号", "No. {n} Zhongguancun Street, Haidian District"),
                  ("朝阳区建国路{n}号", "No. {n} Jianguo Road, Chaoyang District")),
                 ("106", "1065", "1082"), 2, 10),
            City("上海", "Shanghai", ("上海市", "Shanghai", ""), ("2000##", "2001##"),
                 (("浦东新区世纪大道{n}号", "{n} Century Avenue, Pudong New Area"),
                  ("黄浦区南京东路{n}号", "{n} East Nanjing Road, Huangpu District")),
                 ("215", "216"), 2, 10),
            City("广州", "Guangzhou", ("广东省", "Guangdong", ""), ("5100##",),
                 (("天河区天河路{n}号", "{n} Tianhe Road, Tianhe District"),),
                 ("203", "208"), 2, 10),
            City("深圳", "Shenzhen", ("广东省", "Guangdong", ""), ("5180##",),
                 (("南山区深南大道{n}号", "{n} Shennan Avenue, Nanshan District"),),
                 ("7552", "7558"), 3, 11),
            City("杭州", "Hangzhou", ("浙江省", "Zhejiang", ""), ("3100##",),
                 (("西湖区文三路{n}号", "{n} Wensan Road, Xihu District"),),
                 ("5718",), 3, 11),
            City("成都", "Chengdu", ("四川省", "Sichuan", ""), ("6100##",),
                 (("武侯区人民南路{n}号", "{n} Renmin South Road, Wuhou District"),),
                 ("288",), 2, 10),
        ),
        company_patterns=(("{c}{w}{s}有限公司", "{c} {w} {s} Co., Ltd."),
                          ("{w}{s}股份有限公司", "{w} {s} Co., Ltd.")),
        company_words=(("华信", "Huaxin"), ("东方", "Dongfang"), ("鼎盛", "Dingsheng"),
                       ("恒通", "Hengtong"), ("中科", "Zhongke"), ("新锐", "Xinrui"),
                       ("瑞丰", "Ruifeng"), ("金桥", "Jinqiao"), ("某某", "Moumou")),
        company_sectors=(("科技", "Technology"), ("信息技术", "Information Technology"),
                         ("贸易", "Trading"), ("制造", "Manufacturing"), ("咨询", "Consulting"),
                         ("物流", "Logistics")),
        email_domains=("163.com", "qq.com", "126.com", "sina.com", "gmail.com", "163.com"),
        work_tld="com.cn",
        date_formats=("iso", "iso", "ymd_slash", "cjk"),
        honorifics_m=("先生",),
        honorifics_f=("女士",),
        honorific_suffix=True,
        local_titles=("总经理", "首席技术官", "销售副总裁", "销售经理", "销售代表", "客户经理",
                      "市场经理", "软件工程师", "项目经理", "运营总监", "客服专员"),
        genders=("男", "女"),
        language="zh",
        utc_offset=8,
    ),
    Locale(
        code="IR",
        weight=0.14,
        cc="98",
        mobile_trunk="0",
        land_trunk="0",
        mobile_prefixes=("912", "913", "919", "935", "936", "937", "901", "902", "921"),
        mobile_len=10,
        mobile_groups=(3, 3, 4),
        given_m=(
            ("محمد", "Mohammad"), ("علی", "Ali"), ("حسین", "Hossein"), ("رضا", "Reza"),
            ("مهدی", "Mehdi"), ("امیر", "Amir"), ("حمید", "Hamid"), ("سعید", "Saeed"),
            ("کاوه", "Kaveh"), ("مصطفی", "Mostafa"), ("پویا", "Pouya"), ("بهنام", "Behnam"),
            ("یوسف", "Yousef"), ("کامران", "Kamran"),
        ),
        given_f=(
            ("فاطمه", "Fatemeh"), ("زهرا", "Zahra"), ("مریم", "Maryam"), ("سارا", "Sara"),
            ("نرگس", "Narges"), ("لیلا", "Leila"), ("مینا", "Mina"), ("نیلوفر", "Niloufar"),
            ("یاسمن", "Yasaman"), ("شیرین", "Shirin"), ("پریسا", "Parisa"), ("کیمیا", "Kimia"),
            ("الهام", "Elham"),
        ),
        surnames=(
            ("محمدی", "Mohammadi"), ("رضایی", "Rezaei"), ("احمدی", "Ahmadi"),
            ("حسینی", "Hosseini"), ("کریمی", "Karimi"), ("موسوی", "Mousavi"),
            ("جعفری", "Jafari"), ("نیک\u200cپور", "Nikpour"), ("علی\u200cزاده", "Alizadeh"),
            ("کاظمی", "Kazemi"), ("رحیمی", "Rahimi"), ("صادقی", "Sadeghi"),
            ("قاسمی", "Ghasemi"), ("تقی\u200cزاده", "Taghizadeh"), ("کیانی", "Kiani"),
            ("یزدانی", "Yazdani"), ("میرزایی", "Mirzaei"), ("شریفی", "Sharifi"),
        ),
        native_script=True,
        family_first=False,
        countries=("ایران", "ایران", "Iran", "Iran", "IR", "IRN",
                   "Iran, Islamic Republic of", "جمهوری اسلامی ایران"),
        cities=(
            City("تهران", "Tehran", ("تهران", "Tehran", ""), ("1#########", "#####-#####"),
                 (("خیابان ولیعصر، پلاک {n}", "{n} Valiasr St"),
                  ("خیابان آزادی، کوچه ۵، پلاک {n}", "No. {n}, Alley 5, Azadi St")),
                 ("2188", "2122", "2144"), 2, 10),
            City("اصفهان", "Isfahan", ("اصفهان", "Isfahan", ""), ("8#########",),
                 (("خیابان چهارباغ، پلاک {n}", "{n} Chaharbagh St"),), ("313",), 2, 10),
            City("شیراز", "Shiraz", ("فارس", "Fars", ""), ("7#########",),
                 (("بلوار زند، پلاک {n}", "{n} Zand Blvd"),), ("713",), 2, 10),
            City("مشهد", "Mashhad", ("خراسان رضوی", "Razavi Khorasan", ""), ("9#########",),
                 (("بلوار وکیل\u200cآباد، پلاک {n}", "{n} Vakilabad Blvd"),), ("513",), 2, 10),
            City("تبریز", "Tabriz", ("آذربایجان شرقی", "East Azerbaijan", ""), ("5#########",),
                 (("خیابان امام، پلاک {n}", "{n} Imam St"),), ("413",), 2, 10),
        ),
        company_patterns=(("شرکت {s} {w}", "{w} {s} Co."), ("شرکت {w}", "{w} Company")),
        company_words=(("پارس", "Pars"), ("آریا", "Arya"), ("نوآوران", "Noavaran"),
                       ("داده\u200cپردازان", "Dadehpardazan"), ("سپهر", "Sepehr"),
                       ("کیان", "Kian"), ("البرز", "Alborz")),
        company_sectors=(("فناوری اطلاعات", "IT"), ("بازرگانی", "Trading"),
                         ("مهندسی", "Engineering"), ("صنایع", "Industries"),
                         ("پخش", "Distribution")),
        email_domains=("gmail.com", "yahoo.com", "chmail.ir", "gmail.com"),
        work_tld="ir",
        date_formats=("iso", "iso_fa", "dmy_slash"),
        honorifics_m=("آقای", "دکتر"),
        honorifics_f=("خانم", "دکتر"),
        honorific_suffix=False,
        local_titles=("مدیرعامل", "مدیر فنی", "معاون فروش", "مدیر فروش", "کارشناس فروش",
                      "مدیر حساب", "مدیر بازاریابی", "مهندس نرم\u200cافزار", "مدیر پروژه",
                      "مدیر عملیات", "کارشناس پشتیبانی"),
        genders=("مرد", "زن"),
        language="fa",
        utc_offset=3.5,
    ),
    Locale(
        code="US", weight=0.13, cc="1", mobile_trunk="", land_trunk="",
        mobile_prefixes=(), mobile_len=10, mobile_groups=(3, 3, 4),
        given_m=_EN_M, given_f=_EN_F, surnames=_EN_SURNAMES,
        native_script=False, family_first=False,
        countries=("United States", "USA", "US", "U.S.A.", "United States of America",
                   "America"),
        cities=(
            City("New York", "New York", ("NY", "New York"), ("100##", "101##"),
                 _same("{n} Broadway", "{n} W 34th St.", "{n} Madison Avenue"),
                 ("2127", "2126", "6463"), 3, 10, ("9174", "6465", "3478"), 10),
            City("San Francisco", "San Francisco", ("CA", "California", "Calif."), ("941##",),
                 _same("{n} Market Street", "{n} Mission St"), ("4158", "4154"), 3, 10,
                 ("4156", "6282"), 10),
            City("Chicago", "Chicago", ("IL", "Illinois"), ("606##",),
                 _same("{n} N Michigan Ave", "{n} W Madison St."), ("3127",), 3, 10,
                 ("7733", "3128"), 10),
            City("Boston", "Boston", ("MA", "Massachusetts", "Mass."), ("021##",),
                 _same("{n} Boylston Street", "{n} Main St."), ("6172",), 3, 10,
                 ("6178", "8572"), 10),
            City("Seattle", "Seattle", ("WA", "Washington"), ("981##",),
                 _same("{n} Pine St", "{n} 1st Avenue"), ("2063",), 3, 10, ("2067",), 10),
            City("Austin", "Austin", ("TX", "Texas"), ("787##",),
                 _same("{n} Congress Ave", "{n} Oak Street"), ("5124",), 3, 10, ("5128",), 10),
        ),
        company_patterns=_same("{w} {s} Inc.", "{w} {s} LLC", "{w} {s} Corp."),
        company_words=_EN_COMPANY_WORDS, company_sectors=_EN_SECTORS,
        email_domains=("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com",
                       "icloud.com", "gmail.com"),
        work_tld="com", date_formats=("iso", "mdy_slash", "month_name", "mdy_slash"),
        honorifics_m=_EN_HON_M, honorifics_f=_EN_HON_F, honorific_suffix=False,
        local_titles=_EN_TITLES, genders=_MALE_FEMALE, language="en", utc_offset=-5,
    ),
    Locale(
        code="GB", weight=0.06, cc="44", mobile_trunk="0", land_trunk="0",
        mobile_prefixes=("740", "745", "752", "771", "775", "780", "783", "788", "793", "798"),
        mobile_len=10, mobile_groups=(4, 6),
        given_m=_EN_M, given_f=_EN_F, surnames=_EN_SURNAMES,
        native_script=False, family_first=False,
        countries=("United Kingdom", "UK", "GB", "Great Britain", "England", "GBR"),
        cities=(
            City("London", "London", ("",), ("SW1A #AA", "EC1A #BB", "W1D #HU", "N1 #XA"),
                 _same("{n} High Street", "{n} Baker St", "Flat {n}, 12 Kings Road"),
                 ("207", "208", "203"), 2, 10),
            City("Manchester", "Manchester", ("",), ("M# #AE", "M1# #QD"),
                 _same("{n} Deansgate", "{n} Oxford Road"), ("1612", "1618"), 3, 10),
            City("Edinburgh", "Edinburgh", ("",), ("EH# #YZ", "EH1# #TL"),
                 _same("{n} Princes Street", "{n} Royal Mile"), ("1312", "1314"), 3, 10),
        ),
        company_patterns=_same("{w} {s} Ltd", "{w} {s} Limited", "{w} {s} plc"),
        company_words=_EN_COMPANY_WORDS, company_sectors=_EN_SECTORS,
        email_domains=("gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com",
                       "yahoo.co.uk"),
        work_tld="co.uk", date_formats=("iso", "dmy_slash", "d_mon_y"),
        honorifics_m=_EN_HON_M, honorifics_f=_EN_HON_F, honorific_suffix=False,
        local_titles=_EN_TITLES, genders=_MALE_FEMALE, language="en", utc_offset=0,
    ),
    Locale(
        code="AU", weight=0.04, cc="61", mobile_trunk="0", land_trunk="0",
        mobile_prefixes=("40", "41", "42", "43"), mobile_len=9,
        mobile_groups=(3, 3, 3),
        given_m=_EN_M, given_f=_EN_F, surnames=_EN_SURNAMES,
        native_script=False, family_first=False,
        countries=("Australia", "AU", "AUS", "Commonwealth of Australia"),
        cities=(
            City("Sydney", "Sydney", ("NSW", "New South Wales"), ("2000", "20##"),
                 _same("{n} George St", "{n} Pitt Street"), ("29", "28"), 1, 9),
            City("Melbourne", "Melbourne", ("VIC", "Victoria"), ("3000", "30##"),
                 _same("{n} Collins St", "{n} Flinders Lane"), ("39", "38"), 1, 9),
        ),
        company_patterns=_same("{w} {s} Pty Ltd", "{w} {s} Pty. Ltd."),
        company_words=_EN_COMPANY_WORDS, company_sectors=_EN_SECTORS,
        email_domains=("gmail.com", "bigpond.com", "outlook.com", "optusnet.com.au"),
        work_tld="com.au", date_formats=("iso", "dmy_slash", "d_mon_y"),
        honorifics_m=_EN_HON_M, honorifics_f=_EN_HON_F, honorific_suffix=False,
        local_titles=_EN_TITLES, genders=_MALE_FEMALE, language="en", utc_offset=10,
    ),
    Locale(
        code="DE", weight=0.08, cc="49", mobile_trunk="0", land_trunk="0",
        mobile_prefixes=("151", "152", "157", "160", "170", "171", "172", "176", "178"),
        mobile_len=11, mobile_groups=(3, 4, 4),
        given_m=_same("Thomas", "Stefan", "Andreas", "Jürgen", "Jörg", "Günter", "Michael",
                      "Björn", "Sören", "Klaus", "Lukas", "Maximilian"),
        given_f=_same("Anna", "Sabine", "Katrin", "Ursula", "Lena", "Gisela", "Monika",
                      "Käthe", "Julia", "Hannah", "Jördis"),
        surnames=_same("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
                       "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer",
                       "Richter", "Groß", "Weiß", "Köhler", "Krüger"),
        native_script=False, family_first=False,
        countries=("Deutschland", "Germany", "DE", "DEU", "BRD", "Bundesrepublik Deutschland"),
        cities=(
            City("Berlin", "Berlin", ("Berlin", ""), ("101##", "10115"),
                 _same("Hauptstraße {n}", "Friedrichstr. {n}"), ("302", "306"), 2, 10),
            City("München", "Munich", ("Bayern", "BY", ""), ("803##",),
                 _same("Leopoldstraße {n}", "Lindenstr. {n}"), ("892",), 2, 10),
            City("Hamburg", "Hamburg", ("Hamburg", ""), ("200##",),
                 _same("Mönckebergstraße {n}", "Jungfernstieg {n}"), ("403",), 2, 10),
            City("Köln", "Cologne", ("NRW", "Nordrhein-Westfalen", ""), ("506##",),
                 _same("Hohe Straße {n}", "Schildergasse {n}"), ("2212",), 3, 10),
            City("Frankfurt am Main", "Frankfurt", ("Hessen", ""), ("603##",),
                 _same("Zeil {n}", "Kaiserstraße {n}"), ("692",), 2, 10),
        ),
        company_patterns=_same("{w} {s} GmbH", "{w} {s} AG", "{w} {s} GmbH & Co. KG"),
        company_words=_same("Müller", "Nordwind", "Rheintal", "Alpen", "Becker", "Weber"),
        company_sectors=_same("Maschinenbau", "Anlagenbau", "Logistik", "Software",
                              "Beratung", "Elektrotechnik"),
        email_domains=("gmx.de", "web.de", "t-online.de", "gmail.com", "gmx.net"),
        work_tld="de", date_formats=("iso", "dmy_dot", "dmy_dot"),
        honorifics_m=("Herr", "Dr.", "Herr Dr."), honorifics_f=("Frau", "Dr.", "Frau Dr."),
        honorific_suffix=False,
        local_titles=("Geschäftsführer", "CTO", "Vertriebsleiter", "Vertriebsleiter",
                      "Vertriebsmitarbeiter", "Key Account Manager", "Marketingleiter",
                      "Softwareentwickler", "Projektleiter", "Betriebsleiter",
                      "Kundenbetreuer"),
        genders=("männlich", "weiblich"), language="de", utc_offset=1,
    ),
    Locale(
        code="FR", weight=0.07, cc="33", mobile_trunk="0", land_trunk="0",
        mobile_prefixes=("61", "62", "64", "65", "66", "67", "68", "73", "75", "76", "77", "78"),
        mobile_len=9, mobile_groups=(1, 2, 2, 2, 2),
        given_m=_same("François", "Jérôme", "Stéphane", "Benoît", "Noël", "Pierre",
                      "Jean-Luc", "Étienne", "Hugo", "Louis"),
        given_f=_same("Hélène", "Amélie", "Céline", "Zoé", "Chloé", "Léa", "Élodie",
                      "Marie-Claire", "Camille", "Inès"),
        surnames=_same("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent",
                       "Girard", "Rousseau", "Bonnet", "Mercier", "Fournier", "Gauthier",
                       "Lefebvre", "Faure", "Chevalier"),
        native_script=False, family_first=False,
        countries=("France", "FR", "FRA", "République française", "france"),
        cities=(
            City("Paris", "Paris", ("Île-de-France", ""), ("7500#", "7501#"),
                 _same("{n} rue de la Paix", "{n} avenue des Champs-Élysées",
                       "{n} bd Saint-Germain"), ("14", "15"), 1, 9),
            City("Lyon", "Lyon", ("Auvergne-Rhône-Alpes", ""), ("6900#",),
                 _same("{n} rue de la République", "{n} quai Saint-Antoine"), ("47",), 1, 9),
            City("Marseille", "Marseille", ("PACA", ""), ("1300#",),
                 _same("{n} La Canebière", "{n} rue Paradis"), ("491",), 1, 9),
            City("Toulouse", "Toulouse", ("Occitanie", ""), ("31000", "3100#"),
                 _same("{n} rue d'Alsace-Lorraine",), ("56",), 1, 9),
        ),
        company_patterns=_same("{w} {s} SARL", "{w} {s} SAS", "Groupe {w} {s} SA"),
        company_words=_same("Dubois", "Atlantique", "Provence", "Mercier", "Lumière"),
        company_sectors=_same("Conseil", "Logistique", "Informatique", "Industries",
                              "Distribution"),
        email_domains=("orange.fr", "free.fr", "gmail.com", "laposte.net", "wanadoo.fr"),
        work_tld="fr", date_formats=("iso", "dmy_slash", "dmy_slash"),
        honorifics_m=("M.", "Dr"), honorifics_f=("Mme", "Mlle", "Dr"),
        honorific_suffix=False,
        local_titles=("PDG", "Directeur technique", "Directeur commercial",
                      "Responsable commercial", "Commercial", "Chargé de clientèle",
                      "Responsable marketing", "Ingénieur logiciel", "Chef de projet",
                      "Directeur des opérations", "Conseiller clientèle"),
        genders=("H", "F"), language="fr", utc_offset=1,
    ),
    Locale(
        code="ES", weight=0.06, cc="34", mobile_trunk="", land_trunk="",
        mobile_prefixes=("60", "61", "62", "63", "64", "65", "66", "67", "68", "69"),
        mobile_len=9, mobile_groups=(3, 3, 3),
        given_m=_same("José", "Jesús", "Álvaro", "Ramón", "Iñaki", "Javier", "Sergio",
                      "Andrés", "Joaquín", "Pablo"),
        given_f=_same("María", "Sofía", "Lucía", "Begoña", "Inés", "Carmen", "Ángela",
                      "Nuria", "Raquel", "Marta"),
        surnames=_same("García", "Fernández", "González", "Rodríguez", "López", "Martínez",
                       "Sánchez", "Pérez", "Gómez", "Muñoz", "Núñez", "Peña", "Díaz",
                       "Jiménez"),
        native_script=False, family_first=False,
        countries=("España", "Spain", "ES", "ESP", "Reino de España", "espana"),
        cities=(
            City("Madrid", "Madrid", ("Madrid", "Comunidad de Madrid", ""), ("280##",),
                 _same("Calle Mayor {n}", "C/ Gran Vía {n}, 3º B"), ("915", "913"), 2, 9),
            City("Barcelona", "Barcelona", ("Cataluña", "Catalunya", ""), ("080##",),
                 _same("Passeig de Gràcia {n}", "C/ Aragó {n}"), ("932", "934"), 2, 9),
            City("Valencia", "Valencia", ("Comunidad Valenciana", ""), ("460##",),
                 _same("Avda. del Puerto {n}",), ("963",), 2, 9),
            City("Sevilla", "Seville", ("Andalucía", ""), ("410##",),
                 _same("Avda. de la Constitución {n}",), ("954",), 3, 9),
        ),
        company_patterns=_same("{w} {s} S.L.", "{w} {s} S.A.", "{s} {w} SL"),
        company_words=_same("García", "Ibérica", "Levante", "Pérez", "Sol"),
        company_sectors=_same("Consultores", "Distribuciones", "Tecnología", "Logística",
                              "Industrias"),
        email_domains=("gmail.com", "hotmail.es", "yahoo.es", "telefonica.net"),
        work_tld="es", date_formats=("iso", "dmy_slash", "dmy_slash"),
        honorifics_m=("Sr.", "D.", "Dr."), honorifics_f=("Sra.", "Dña.", "Dra."),
        honorific_suffix=False,
        local_titles=("Director general", "Director técnico", "Director comercial",
                      "Jefe de ventas", "Comercial", "Gestor de cuentas",
                      "Responsable de marketing", "Ingeniero de software", "Jefe de proyecto",
                      "Director de operaciones", "Atención al cliente"),
        genders=("H", "M"), language="es", utc_offset=1,
    ),
    Locale(
        code="JP", weight=0.06, cc="81", mobile_trunk="0", land_trunk="0",
        mobile_prefixes=tuple(f"{a}{b}" for a in ("90", "80", "70") for b in "123456789"),
        mobile_len=10, mobile_groups=(2, 4, 4),
        given_m=(("太郎", "Taro"), ("健太", "Kenta"), ("翔", "Sho"), ("大輔", "Daisuke"),
                 ("直樹", "Naoki"), ("拓也", "Takuya"), ("誠", "Makoto"), ("浩", "Hiroshi"),
                 ("蓮", "Ren")),
        given_f=(("花子", "Hanako"), ("美咲", "Misaki"), ("陽菜", "Hina"), ("由美", "Yumi"),
                 ("さくら", "Sakura"), ("恵子", "Keiko"), ("愛", "Ai"), ("結衣", "Yui")),
        surnames=(("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"),
                  ("田中", "Tanaka"), ("伊藤", "Ito"), ("渡辺", "Watanabe"),
                  ("山本", "Yamamoto"), ("中村", "Nakamura"), ("小林", "Kobayashi"),
                  ("山田", "Yamada"), ("加藤", "Kato"), ("吉田", "Yoshida")),
        native_script=True, family_first=True,
        countries=("日本", "日本", "Japan", "JP", "JPN", "日本国"),
        cities=(
            City("東京都", "Tokyo", ("東京都", "Tokyo", ""), ("100-00##", "150-00##"),
                 (("千代田区丸の内1-{n}", "1-{n} Marunouchi, Chiyoda-ku"),
                  ("渋谷区道玄坂2-{n}", "2-{n} Dogenzaka, Shibuya-ku")),
                 ("35", "36"), 1, 9),
            City("大阪市", "Osaka", ("大阪府", "Osaka", ""), ("530-00##",),
                 (("北区梅田3-{n}", "3-{n} Umeda, Kita-ku"),), ("66",), 1, 9),
            City("横浜市", "Yokohama", ("神奈川県", "Kanagawa", ""), ("220-00##",),
                 (("西区みなとみらい2-{n}", "2-{n} Minatomirai, Nishi-ku"),), ("452",), 2, 9),
        ),
        company_patterns=(("株式会社{w}{s}", "{w} {s} Co., Ltd."),
                          ("{w}{s}株式会社", "{w} {s} Corporation")),
        company_words=(("山田", "Yamada"), ("富士", "Fuji"), ("日本", "Nippon"),
                       ("東京", "Tokyo"), ("大和", "Yamato"), ("さくら", "Sakura")),
        company_sectors=(("製作所", "Works"), ("商事", "Trading"), ("電機", "Electric"),
                         ("システム", "Systems"), ("物流", "Logistics"), ("工業", "Industries")),
        email_domains=("docomo.ne.jp", "yahoo.co.jp", "gmail.com", "ezweb.ne.jp"),
        work_tld="co.jp", date_formats=("iso", "ymd_slash", "cjk"),
        honorifics_m=("様", "さん"), honorifics_f=("様", "さん"), honorific_suffix=True,
        local_titles=("代表取締役", "最高技術責任者", "営業担当副社長", "営業部長", "営業担当",
                      "アカウントマネージャー", "マーケティング部長", "ソフトウェアエンジニア",
                      "プロジェクトマネージャー", "業務部長", "カスタマーサポート"),
        genders=("男性", "女性"), language="ja", utc_offset=9,
    ),
    Locale(
        code="IN", weight=0.05, cc="91", mobile_trunk="0", land_trunk="0",
        mobile_prefixes=("98", "99", "97", "94", "90", "81", "70"), mobile_len=10,
        mobile_groups=(5, 5),
        given_m=_same("Rahul", "Amit", "Vikram", "Arjun", "Rajesh", "Sanjay", "Anil",
                      "Suresh", "Rohan", "Aditya"),
        given_f=_same("Priya", "Anjali", "Sneha", "Pooja", "Deepika", "Kavya", "Neha",
                      "Lakshmi", "Divya"),
        surnames=_same("Sharma", "Patel", "Kumar", "Singh", "Gupta", "Reddy", "Nair", "Iyer",
                       "Mehta", "Joshi", "Agarwal", "Rao"),
        native_script=False, family_first=False,
        countries=("India", "IN", "IND", "Bharat", "Republic of India"),
        cities=(
            City("Mumbai", "Mumbai", ("Maharashtra", "MH"), ("4000##",),
                 _same("{n}, Nariman Point", "Flat {n}, Marine Drive"), ("222", "226"), 2,
                 10),
            City("Bengaluru", "Bangalore", ("Karnataka", "KA"), ("5600##",),
                 _same("{n}, MG Road", "{n}, Koramangala 5th Block"), ("802", "804"), 2, 10),
            City("New Delhi", "Delhi", ("Delhi", "DL"), ("1100##",),
                 _same("{n}, Connaught Place",), ("112", "114"), 2, 10),
        ),
        company_patterns=_same("{w} {s} Pvt. Ltd.", "{w} {s} Private Limited"),
        company_words=_same("Sharma", "Bharat", "Sunrise", "Lotus", "Ganga"),
        company_sectors=_same("Infotech", "Exports", "Pharma", "Solutions", "Textiles"),
        email_domains=("gmail.com", "rediffmail.com", "yahoo.co.in", "gmail.com"),
        work_tld="co.in", date_formats=("iso", "dmy_slash", "dmy_dash"),
        honorifics_m=("Mr.", "Shri", "Dr."), honorifics_f=("Ms.", "Smt.", "Dr."),
        honorific_suffix=False,
        local_titles=_EN_TITLES, genders=_MALE_FEMALE, language="en", utc_offset=5.5,
    ),
    Locale(
        code="BR", weight=0.04, cc="55", mobile_trunk="", land_trunk="",
        mobile_prefixes=(), mobile_len=11, mobile_groups=(2, 5, 4),
        given_m=_same("João", "José", "Antônio", "Thiago", "Lucas", "Gabriel", "Rafael",
                      "Paulo"),
        given_f=_same("Luíza", "Fernanda", "Camila", "Ana", "Beatriz", "Juliana", "Letícia",
                      "Conceição"),
        surnames=_same("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa",
                       "Rodrigues", "Almeida", "Nascimento", "Araújo", "Gonçalves"),
        native_script=False, family_first=False,
        countries=("Brasil", "Brazil", "BR", "BRA"),
        cities=(
            City("São Paulo", "Sao Paulo", ("SP", "São Paulo"), ("01310-###", "04538-###"),
                 _same("Av. Paulista, {n}", "Rua Augusta, {n}"), ("113", "114"), 2, 10,
                 ("1196", "1197", "1198", "1199"), 11),
            City("Rio de Janeiro", "Rio de Janeiro", ("RJ",), ("20040-###",),
                 _same("Av. Atlântica, {n}",), ("212", "213"), 2, 10, ("2197", "2198"), 11),
            City("Belo Horizonte", "Belo Horizonte", ("MG", "Minas Gerais"), ("30130-###",),
                 _same("Rua da Bahia, {n}",), ("313",), 2, 10, ("3198", "3199"), 11),
        ),
        company_patterns=_same("{w} {s} Ltda.", "{w} {s} S.A."),
        company_words=_same("Silva", "Horizonte", "Paulista", "Tropical"),
        company_sectors=_same("Comércio", "Tecnologia", "Logística", "Serviços"),
        email_domains=("gmail.com", "uol.com.br", "hotmail.com", "bol.com.br"),
        work_tld="com.br", date_formats=("iso", "dmy_slash"),
        honorifics_m=("Sr.", "Dr."), honorifics_f=("Sra.", "Dra."), honorific_suffix=False,
        local_titles=("Diretor executivo", "Diretor de tecnologia", "Diretor comercial",
                      "Gerente de vendas", "Vendedor", "Gerente de contas",
                      "Gerente de marketing", "Engenheiro de software",
                      "Gerente de projetos", "Diretor de operações", "Analista de suporte"),
        genders=("M", "F"), language="pt", utc_offset=-3,
    ),
    Locale(
        code="CA", weight=0.03, cc="1", mobile_trunk="", land_trunk="",
        mobile_prefixes=(), mobile_len=10, mobile_groups=(3, 3, 4),
        given_m=_EN_M, given_f=_EN_F, surnames=_EN_SURNAMES,
        native_script=False, family_first=False,
        countries=("Canada", "CA", "CAN"),
        cities=(
            City("Toronto", "Toronto", ("ON", "Ontario"), ("M5H #N2", "M4W #A1"),
                 _same("{n} Bay Street", "{n} Queen St W"), ("4163", "4167"), 3, 10,
                 ("6472", "4168"), 10),
            City("Vancouver", "Vancouver", ("BC", "British Columbia"), ("V6B #A1",),
                 _same("{n} Granville St",), ("6046",), 3, 10, ("7783", "6049"), 10),
            City("Montréal", "Montreal", ("QC", "Québec", "Quebec"), ("H2Y #C6",),
                 _same("{n} rue Sainte-Catherine",), ("5148",), 3, 10, ("4383",), 10),
        ),
        company_patterns=_same("{w} {s} Inc.", "{w} {s} Ltd."),
        company_words=_EN_COMPANY_WORDS, company_sectors=_EN_SECTORS,
        email_domains=("gmail.com", "rogers.com", "outlook.com", "shaw.ca"),
        work_tld="ca", date_formats=("iso", "iso", "month_name"),
        honorifics_m=_EN_HON_M, honorifics_f=_EN_HON_F, honorific_suffix=False,
        local_titles=_EN_TITLES, genders=_MALE_FEMALE, language="en", utc_offset=-5,
    ),
    Locale(
        code="NL", weight=0.03, cc="31", mobile_trunk="0", land_trunk="0",
        mobile_prefixes=("61", "62", "63", "64", "65"), mobile_len=9, mobile_groups=(1, 8),
        given_m=_same("Jan", "Pieter", "Daan", "Sem", "Lars", "Bram", "Thijs", "Joost",
                      "Ruud"),
        given_f=_same("Sanne", "Anouk", "Femke", "Lotte", "Eva", "Fleur", "Marieke",
                      "Ingrid"),
        surnames=_same("de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit",
                       "Meijer", "de Jong", "van Dijk", "Mulder", "de Boer", "van der Meer"),
        native_script=False, family_first=False,
        countries=("Nederland", "Netherlands", "NL", "NLD", "Holland",
                   "The Netherlands"),
        cities=(
            City("Amsterdam", "Amsterdam", ("Noord-Holland", "NH", ""), ("101# AB", "10## CD"),
                 _same("Damrak {n}", "Keizersgracht {n}"), ("205", "206"), 2, 9),
            City("Rotterdam", "Rotterdam", ("Zuid-Holland", ""), ("301# AA",),
                 _same("Coolsingel {n}",), ("104",), 2, 9),
            City("Utrecht", "Utrecht", ("Utrecht", ""), ("351# AA",),
                 _same("Oudegracht {n}",), ("302",), 2, 9),
        ),
        company_patterns=_same("{w} {s} B.V.", "{w} {s} BV"),
        company_words=_same("De Vries", "Oranje", "Delta", "Polder"),
        company_sectors=_same("Logistiek", "Techniek", "Advies", "Software"),
        email_domains=("gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl"),
        work_tld="nl", date_formats=("iso", "dmy_dash", "dmy_slash"),
        honorifics_m=("Dhr.", "Dr."), honorifics_f=("Mevr.", "Dr."), honorific_suffix=False,
        local_titles=("Algemeen directeur", "CTO", "Commercieel directeur", "Salesmanager",
                      "Vertegenwoordiger", "Accountmanager", "Marketingmanager",
                      "Software-ontwikkelaar", "Projectleider", "Operationeel directeur",
                      "Klantenservicemedewerker"),
        genders=("M", "V"), language="nl", utc_offset=1,
    ),
)  # fmt: skip
_LOCALE_CUM = list(accumulate(loc.weight for loc in _LOCALES))

JOB_TITLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Chief Executive Officer", ("CEO", "C.E.O.", "Chief Exec Officer")),
    ("Chief Technology Officer", ("CTO", "Chief Technical Officer")),
    ("VP Sales", ("Vice President of Sales", "VP, Sales", "V.P. Sales", "vp sales")),
    ("Sales Manager", ("Sales Mgr", "Mgr, Sales", "sales manager")),
    ("Sales Representative", ("Sales Rep", "Sales Rep.", "sales representative")),
    ("Account Manager", ("Acct Manager", "Account Mgr", "Acct. Mgr.")),
    ("Marketing Manager", ("Mktg Manager", "Marketing Mgr", "Mgr Marketing")),
    ("Software Engineer", ("SW Engineer", "Software Eng.", "software engineer")),
    ("Project Manager", ("Proj. Manager", "Project Mgr", "Projekt Manager")),
    ("Operations Director", ("Director of Operations", "Ops Director", "Dir. Operations")),
    ("Customer Support Specialist", ("Support Specialist", "CS Specialist")),
)
"""Canonical job titles (by index, aligned with ``Locale.local_titles``) and their variants."""

INDUSTRIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Software", ("Sofware", "Softwre", "software", "SOFTWARE")),
    ("Manufacturing", ("Manufactoring", "Manufacturng", "manufacturing")),
    ("Retail", ("Retial", "retail ")),
    ("Healthcare", ("Helthcare", "Health care", "Heathcare")),
    ("Financial Services", ("Finacial Services", "Financial Svcs", "financial services")),
    ("Education", ("Educaton", "education")),
    ("Logistics", ("Logisitcs", "Logistic")),
    ("Consulting", ("Consultng", "Consultancy")),
    ("Telecommunications", ("Telecomunications", "Telecom")),
    ("Real Estate", ("Real-Estate", "RealEstate", "real estate")),
)
"""Canonical industry picklist and near-miss variants entered by hand."""

TYPO_DOMAINS: dict[str, tuple[str, ...]] = {
    "gmail.com": ("gmial.com", "gmai.com", "gmail.con", "gamil.com"),
    "hotmail.com": ("hotmial.com", "hotmal.com", "hotmail.co"),
    "yahoo.com": ("yaho.com", "yahooo.com"),
    "outlook.com": ("outlok.com", "outlook.co"),
    "163.com": ("163.con",),
    "qq.com": ("qq.con", "qq.cm"),
    "gmx.de": ("gmx.dee", "gmx.d"),
    "web.de": ("wbe.de",),
    "orange.fr": ("ornage.fr",),
}
"""Email domains and the typos people make in them."""

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})
_ASCII_EXTRA = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "ł": "l", "'": "", "’": ""})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_POWERS_OF_TEN = tuple(10**i for i in range(16))


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _ascii(text: str) -> str:
    """Fold a Latin-script string to ASCII the way people type it into an email address.

    Args:
        text: The string.

    Returns:
        The string without diacritics, apostrophes or ligatures.
    """
    text = text.translate(_ASCII_EXTRA)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def _email_token(name: str, umlaut: bool) -> str:
    """The lower-case ASCII letters and digits of a name, as used in email addresses.

    Args:
        name: A Latin-script name.
        umlaut: Whether to write German umlauts as ``ae``/``oe``/``ue`` instead of dropping
            the dots.

    Returns:
        The token.
    """
    if umlaut:
        name = name.translate(_UMLAUTS)
    return "".join(ch for ch in _ascii(name).lower() if ch.isalnum())


@lru_cache(maxsize=1024)
def _utc_day(day: int) -> str:
    """The ``YYYY-MM-DD`` date of a day counted from the Unix epoch.

    Args:
        day: Days since 1970-01-01.

    Returns:
        The ISO date.
    """
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).strftime("%Y-%m-%d")


def _utc_stamp(t: float) -> str:
    """An RFC 3339 UTC timestamp with whole seconds and a ``Z`` suffix.

    Args:
        t: Seconds since the Unix epoch.

    Returns:
        The timestamp.
    """
    day, secs = divmod(int(t), 86400)
    hours, secs = divmod(secs, 3600)
    return f"{_utc_day(day)}T{hours:02d}:{secs // 60:02d}:{secs % 60:02d}Z"


def _groups(digits: str, sizes: Sequence[int]) -> list[str]:
    """Split a digit string into groups; the last group takes whatever is left.

    Args:
        digits: The digits.
        sizes: Group sizes.

    Returns:
        The non-empty groups.
    """
    out = []
    pos = 0
    for size in sizes[:-1]:
        out.append(digits[pos : pos + size])
        pos += size
    out.append(digits[pos:])
    return [g for g in out if g]


def _land_groups(length: int, area_len: int) -> tuple[int, ...]:
    """Digit grouping of a landline: the area code, then blocks of three or four.

    Args:
        length: NSN length.
        area_len: Area-code length.

    Returns:
        Group sizes.
    """
    rest = length - area_len
    if rest >= 8:
        return (area_len, 4, rest - 4)
    if rest == 7:
        return (area_len, 3, 4)
    return (area_len, rest)


def _format_date(code: str, year: int, month: int, day: int) -> str:
    """Write a date in one of the formats people use.

    Args:
        code: Format code (``iso``, ``iso_fa``, ``dmy_slash``, ``mdy_slash``, ``dmy_dot``,
            ``dmy_dash``, ``ymd_slash``, ``cjk``, ``month_name``, ``d_mon_y``).
        year: Year.
        month: Month (1-12).
        day: Day of month.

    Returns:
        The formatted date.

    Raises:
        ValueError: For an unknown format code.
    """
    if code == "iso":
        return f"{year:04d}-{month:02d}-{day:02d}"
    if code == "iso_fa":
        return f"{year:04d}-{month:02d}-{day:02d}".translate(_PERSIAN_DIGITS)
    if code == "dmy_slash":
        return f"{day:02d}/{month:02d}/{year}"
    if code == "mdy_slash":
        return f"{month}/{day}/{year}"
    if code == "dmy_dot":
        return f"{day:02d}.{month:02d}.{year}"
    if code == "dmy_dash":
        return f"{day:02d}-{month:02d}-{year}"
    if code == "ymd_slash":
        return f"{year}/{month:02d}/{day:02d}"
    if code == "cjk":
        return f"{year}年{month}月{day}日"
    if code == "month_name":
        return f"{_MONTHS[month - 1]} {day}, {year}"
    if code == "d_mon_y":
        return f"{day} {_MONTHS[month - 1][:3]} {year}"
    raise ValueError(f"unknown date format {code!r}")


def _render(source: str, contact: dict[str, Any]) -> dict[str, Any]:
    """Rename canonical contact fields to the source's own field names.

    Args:
        source: The source system.
        contact: Contact with canonical field names.

    Returns:
        A new dict in the source's naming.
    """
    mapping = SOURCE_FIELD_MAP.get(source)
    if mapping is None:
        return dict(contact)
    return {mapping.get(k, k): v for k, v in contact.items()}


# --------------------------------------------------------------------------------------------
# Generated data
# --------------------------------------------------------------------------------------------


class GeneratedEvent(NamedTuple):
    """One generated event and its ground truth.

    Attributes:
        event: The JSON object to publish.
        person_id: The real-world person the event is about (``P0000001`` style).
        kind: One of ``KINDS``.
        detail: What makes it that kind: the variations of a duplicate (``+``-joined), the
            change of an update, ``family|namesake|similar_company:<anchor person id>`` for a
            hard negative, the defect of an invalid event (``envelope:<defect>`` when the
            envelope itself is malformed); empty for originals and erasures.
    """

    event: dict[str, Any]
    person_id: str
    kind: str
    detail: str = ""


@dataclass(slots=True)
class _Person:
    """A real-world person; mutable because people change jobs, phones and addresses."""

    pid: str
    loc: Locale
    female: bool
    given: str
    family: str
    given_latin: str
    family_latin: str
    birth: tuple[int, int, int]
    mobile: str
    landline: str
    city: City
    street: int
    house: int
    postcode: str
    company: tuple[int, int, int]
    job: int
    industry: int
    owner: str
    email: str = ""
    first_source: str = ""


@dataclass(slots=True)
class _Record:
    """The latest version of one source record (``source`` + ``external_id``)."""

    source: str
    external_id: str
    person: _Person
    record_type: str
    owner: str | None
    contact: dict[str, Any]
    t: float


_REGION_OWNERS: dict[str, tuple[str, ...]] = {
    "CN": ("li.wei", "chen.j"),
    "JP": ("yuki.t",),
    "IN": ("yuki.t", "li.wei"),
    "AU": ("yuki.t",),
    "IR": ("reza.k", "omid.n"),
    "DE": ("anna.s", "maria.g"),
    "FR": ("maria.g",),
    "ES": ("maria.g",),
    "GB": ("anna.s",),
    "NL": ("anna.s",),
    "US": ("j.doe",),
    "CA": ("j.doe",),
    "BR": ("j.doe",),
}
_OWNER_NAMES: tuple[str, ...] = tuple(OWNERS)
_COMMON_NAMES: dict[str, tuple[Pair, Pair]] = {
    "CN": (("伟", "Wei"), ("王", "Wang")),
    "US": (("John", "John"), ("Smith", "Smith")),
    "GB": (("John", "John"), ("Smith", "Smith")),
    "AU": (("John", "John"), ("Smith", "Smith")),
    "CA": (("John", "John"), ("Smith", "Smith")),
}
"""Very common (male) names per country, given extra weight so namesakes really occur."""
_COMMON_NAME_SET = {(given[0], family[0]) for given, family in _COMMON_NAMES.values()}
_CN = next(loc for loc in _LOCALES if loc.code == "CN")
_EXTRA_VALUES: dict[str, tuple[Any, ...]] = {
    "newsletter_opt_in": (True, False, True),
    "utm_campaign": ("spring_sale", "webinar_2026", "trade_show", "referral"),
    "loyalty_tier": ("gold", "silver", "bronze"),
}
_DATA_DEFECT_NAMES = tuple(name for name, _ in _DATA_DEFECTS)
_DATA_DEFECT_CUM = list(accumulate(weight for _, weight in _DATA_DEFECTS))
_NAME_STYLE_ODDS: dict[str, tuple[float, float]] = {
    "erp": (1.0, 0.0),
    "shop": (0.0, 0.0),
    "webform": (0.15, 0.0),
    "support": (0.7, 0.0),
    "import": (0.2, 0.2),
    "crm_legacy": (0.05, 0.0),
}
"""Per source: odds of one full-name field, and of full name plus first/last fields."""
_DUP_VARIATION_COUNTS = (1, 2, 3)
_DUP_VARIATION_CUM = (0.35, 0.8, 1.0)
_UPDATE_CHANGES = (
    "job_change",
    "address_change",
    "phone_added",
    "new_phone",
    "fill_missing",
    "consent_change",
    "name_cleanup",
)


class _Generator:
    """State of one generation run: one RNG, counters and bounded windows."""

    def __init__(
        self,
        persons: int,
        seed: int,
        duplicate_rate: float,
        invalid_rate: float,
        update_rate: float,
        hard_negative_rate: float,
        erasures: int,
        sources: Sequence[str],
        window: int,
    ) -> None:
        rates = (duplicate_rate, invalid_rate, update_rate, hard_negative_rate)
        if persons < 0 or erasures < 0 or window < 1:
            raise ValueError("persons and erasures must be >= 0 and window >= 1")
        if any(r < 0 for r in rates) or duplicate_rate + invalid_rate + update_rate >= 0.9:
            raise ValueError("rates must be >= 0 and duplicate+invalid+update < 0.9")
        unknown = set(sources) - set(SOURCES)
        if not sources or unknown:
            raise ValueError(f"sources must be a non-empty subset of {SOURCES}")
        self.rng = random.Random(seed)
        self._random = self.rng.random
        self.persons = persons
        self.erasures = erasures
        self.window = window
        self.dup = duplicate_rate
        self.inv = invalid_rate
        self.extra_rate = duplicate_rate + invalid_rate + update_rate
        base = 1.0 - self.extra_rate
        self.extra_mean = self.extra_rate / base
        self.p_hard = min(1.0, hard_negative_rate / base)
        self.step = _UPSERT_SPAN / max(persons / base, 1.0)
        self.sources = tuple(sources)
        self.source_cum = list(accumulate(_SOURCE_WEIGHTS[s] for s in self.sources))
        self.seq = 0
        self.person_count = 0
        self.people: list[_Person] = []
        self.records: list[_Record] = []
        self.ext_counters = dict.fromkeys(SOURCES, 0)

    # -- the stream --------------------------------------------------------------------------

    def run(self) -> Iterator[GeneratedEvent]:
        """Yield the whole stream.

        Yields:
            Events in publication order.
        """
        rng = self.rng
        whole = int(self.extra_mean)
        frac = self.extra_mean - whole
        dup_inv = self.dup + self.inv
        for _ in range(self.persons):
            if self.people and rng.random() < self.p_hard:
                yield self._hard_negative()
            else:
                yield self._original()
            for _ in range(whole + (rng.random() < frac)):
                r = rng.random() * self.extra_rate
                if r < self.dup:
                    yield self._duplicate()
                elif r < dup_inv:
                    yield self._invalid()
                else:
                    yield self._update()
        yield from self._erasure_events()

    def _original(self) -> GeneratedEvent:
        """A new person's first record."""
        person = self._new_person()
        self._remember(person)
        source = self._source()
        person.first_source = source
        return self._new_record(person, source, "original", set(), person.owner)

    def _duplicate(self) -> GeneratedEvent:
        """A known person entered again, with variations."""
        rng = self.rng
        person = self._pick(self.people)
        variations = self._variations(person)
        source = self._source()
        if source == person.first_source and len(self.sources) > 1 and rng.random() < 0.8:
            source = self._source()
        owner = person.owner
        if "cross_owner" in variations:
            owner = self._pick([o for o in _OWNER_NAMES if o != person.owner])
        return self._new_record(person, source, "duplicate", variations, owner)

    def _hard_negative(self) -> GeneratedEvent:
        """A new person built to look like a known one (family, namesake, similar company)."""
        rng = self.rng
        how = rng.choices(("family", "namesake", "similar_company"), (0.35, 0.4, 0.25))[0]
        anchor = self._pick(self.people)
        if how == "namesake":
            for _ in range(10):
                if (anchor.given, anchor.family) in _COMMON_NAME_SET:
                    break
                anchor = self._pick(self.people)
        loc = anchor.loc
        person = self._new_person(loc)
        variations: set[str] = set()
        if how == "family":
            person.family, person.family_latin = anchor.family, anchor.family_latin
            while person.given == anchor.given:
                person.female = not person.female
                person.given, person.given_latin = self._given(loc, person.female)
            person.city, person.street = anchor.city, anchor.street
            person.house, person.postcode = anchor.house, anchor.postcode
            person.landline = anchor.landline
            year = anchor.birth[0]
            gap = self._pick((self._between(1, 6), self._between(-6, -1), 25, 28, -27, -31))
            person.birth = (min(2006, max(1935, year + gap)), person.birth[1], person.birth[2])
            variations.add("shared_landline")
        elif how == "namesake":
            person.female = anchor.female
            person.given, person.given_latin = anchor.given, anchor.given_latin
            person.family, person.family_latin = anchor.family, anchor.family_latin
            self._move(person, anchor.city)
            if person.birth == anchor.birth:
                person.birth = (person.birth[0] + 1, person.birth[1], person.birth[2])
        else:
            self._move(person, anchor.city)
            if rng.random() < 0.5:
                person.family, person.family_latin = anchor.family, anchor.family_latin
            pattern, word, sector = anchor.company
            other = [s for s in range(len(loc.company_sectors)) if s != sector]
            person.company = (pattern, word, self._pick(other))
            person.industry = anchor.industry
        person.email = self._email(person)
        while person.email == anchor.email:
            local, _, domain = person.email.partition("@")
            person.email = f"{local}{self._between(2, 99)}@{domain}"
        self._remember(person)
        source = self._source()
        person.first_source = source
        detail = f"{how}:{anchor.pid}"
        return self._new_record(person, source, "hard_negative", variations, person.owner, detail)

    def _update(self) -> GeneratedEvent:
        """A new version of a known source record with one change."""
        rng = self.rng
        rec = self._pick(self.records)
        person = rec.person
        loc = person.loc
        contact = dict(rec.contact)
        change = self._pick(_UPDATE_CHANGES)
        national_ok = "country" in contact
        if change == "fill_missing":
            missing = [f for f in ("birth_date", "job_title", "country") if f not in contact]
            if not missing:
                change = "job_change"
            else:
                field_name = self._pick(missing)
                if field_name == "birth_date":
                    code = self._pick(loc.date_formats)
                    contact["birth_date"] = _format_date(code, *person.birth)
                elif field_name == "job_title":
                    contact["job_title"] = self._job_title(loc, person.job)
                else:
                    contact["country"] = self._country(loc)
        if change == "job_change":
            self._change_job(person)
            contact["job_title"] = self._job_title(loc, person.job)
            if "company" in contact:
                contact["company"] = self._company_name(person, rng.random() < 0.1)
        elif change == "address_change":
            self._move(person)
            contact.update(self._address(person, latin=False, keep_all=True))
        elif change == "phone_added":
            contact["phones"] = [
                contact["phone"],
                self._phone(loc, person.landline, False, person.city, national_ok),
            ]
        elif change == "new_phone":
            person.mobile = self._mobile(loc, person.city)
            contact["phone"] = self._phone(loc, person.mobile, True, person.city, national_ok)
            contact.pop("phones", None)
        elif change == "consent_change":
            contact["newsletter_opt_in"] = not contact.get("newsletter_opt_in", False)
        elif change == "name_cleanup":
            for key in ("first_name", "last_name", "full_name"):
                if isinstance(contact.get(key), str):
                    contact[key] = " ".join(contact[key].split())
        t = max(self._next_time(), rec.t + 1.0)
        rec.contact = contact
        rec.t = t
        return GeneratedEvent(self._event(rec, t), person.pid, "update", change)

    def _invalid(self) -> GeneratedEvent:
        """A record with one defect the service must quarantine."""
        rng = self.rng
        defect = self._weighted(_DATA_DEFECT_NAMES, _DATA_DEFECT_CUM)
        person = self._pick(self.people)
        if defect == "cn_mobile_10_digits":
            for _ in range(8):
                if person.loc is _CN:
                    break
                person = self._pick(self.people)
            else:
                person = self._new_person(_CN)
        source = self._source()
        is_lead = defect == "lead_missing_company" or rng.random() < 0.2
        record_type = "lead" if is_lead else "contact"
        contact = self._contact(person, source, record_type, set(), 0.15)
        self._break(contact, person, defect)
        rec = _Record(source, self._external_id(source), person, record_type, person.owner, contact, 0.0)
        event = self._event(rec, self._next_time())
        if defect == "envelope":
            defect = "envelope:" + self._break_envelope(event)
        return GeneratedEvent(event, person.pid, "invalid", defect)

    def _erasure_events(self) -> Iterator[GeneratedEvent]:
        """``contact.deleted`` requests for earlier source records, after all upserts."""
        rng = self.rng
        targets = rng.sample(self.records, min(self.erasures, len(self.records)))
        start = _YEAR_2026 + _UPSERT_SPAN + 86400.0
        for i, rec in enumerate(targets):
            t = max(start + 600.0 * i + self._between(0, 599), rec.t + 1.0)
            event: dict[str, Any] = {
                "event_id": f"{rec.source}-{self.seq:06d}",
                "event_type": "contact.deleted",
                "source": rec.source,
                "external_id": rec.external_id,
                "occurred_at": _utc_stamp(t),
                "schema_version": 1,
                "contact": {},
            }
            if rec.owner:
                event["owner"] = rec.owner
                event["department"] = OWNERS[rec.owner]
            self.seq += 1
            yield GeneratedEvent(event, rec.person.pid, "erasure")

    # -- envelopes and records ---------------------------------------------------------------

    def _new_record(
        self,
        person: _Person,
        source: str,
        kind: str,
        variations: set[str],
        owner: str,
        detail: str | None = None,
    ) -> GeneratedEvent:
        """Create, remember and publish a new source record of a person."""
        record_type = "lead" if self.rng.random() < 0.2 else "contact"
        mess = 0.35 if kind == "duplicate" else 0.15
        contact = self._contact(person, source, record_type, variations, mess)
        rec_owner = owner if self.rng.random() < 0.92 else None
        t = self._next_time()
        rec = _Record(source, self._external_id(source), person, record_type, rec_owner, contact, t)
        self._remember_record(rec)
        if detail is None:
            detail = "+".join(sorted(variations))
        return GeneratedEvent(self._event(rec, t), person.pid, kind, detail)

    def _event(self, rec: _Record, t: float) -> dict[str, Any]:
        """The envelope of one version of a source record, contact in the source's field names."""
        rng = self.rng
        event: dict[str, Any] = {"event_id": f"{rec.source}-{self.seq:06d}"}
        self.seq += 1
        if rng.random() < 0.95:
            event["event_type"] = "contact.upserted"
        event["source"] = rec.source
        event["external_id"] = rec.external_id
        event["occurred_at"] = self._stamp(t, rec.person.loc)
        if rec.record_type == "lead" or rng.random() < 0.92:
            event["record_type"] = rec.record_type
        if rec.owner:
            event["owner"] = rec.owner
            event["department"] = OWNERS[rec.owner]
        if rng.random() < 0.95:
            event["schema_version"] = 1
        event["contact"] = _render(rec.source, rec.contact)
        return event

    def _break_envelope(self, event: dict[str, Any]) -> str:
        """Break the envelope of an event in one way; return the defect's name."""
        defect = self._pick(_ENVELOPE_DEFECTS)
        if defect == "missing_event_id":
            del event["event_id"]
        elif defect == "missing_occurred_at":
            del event["occurred_at"]
        elif defect == "bad_occurred_at":
            event["occurred_at"] = self._pick(
                ("yesterday", "2026-02-30T10:00:00Z", "2026-13-01T08:00:00Z", "not a date")
            )
        elif defect == "missing_source":
            del event["source"]
        elif defect == "missing_contact":
            del event["contact"]
        elif defect == "contact_not_object":
            contact = event["contact"]
            event["contact"] = self._pick((list(contact.values()), "; ".join(str(v) for v in contact.values())))
        elif defect == "event_id_not_string":
            event["event_id"] = self.seq
        elif defect == "schema_version_not_integer":
            event["schema_version"] = self._pick(("v1", [1], {"major": 1}))
        elif defect == "unknown_record_type":
            event["record_type"] = self._pick(("deal", "customer", "Kontakt"))
        else:
            event["event_type"] = self._pick(("contact.merged", "contact.updated", "upsert"))
        return defect

    def _break(self, contact: dict[str, Any], person: _Person, defect: str) -> None:
        """Give a contact the data-level defect ``defect``."""
        rng = self.rng
        if defect == "missing_name":
            blank = rng.random() < 0.3
            for key in ("first_name", "middle_name", "last_name", "full_name"):
                if key in contact:
                    if blank:
                        contact[key] = self._pick(("", "  ", None))
                    else:
                        del contact[key]
        elif defect == "missing_email_and_phone":
            for key in ("email", "emails", "phone", "phones"):
                contact.pop(key, None)
            if rng.random() < 0.3:
                contact["email"] = ""
                contact["phone"] = None
        elif defect == "lead_missing_company":
            if rng.random() < 0.3:
                contact["company"] = " "
            else:
                contact.pop("company", None)
        elif defect == "invalid_email":
            local, _, domain = person.email.partition("@")
            contact["email"] = self._pick(
                (
                    f"{local}@@{domain}",
                    f"{local} at {domain}",
                    f"{local}@{domain.split('.')[0]}",
                    f"{local}{domain}",
                    f"{local}..x@{domain}",
                    f"{local}@{domain},",
                    f"@{domain}",
                )
            )
            contact.pop("emails", None)
        elif defect == "cn_mobile_10_digits":
            digits = person.mobile[:10]
            contact["phone"] = self._pick(
                (
                    " ".join(_groups(digits, (3, 4, 3))),
                    digits,
                    "+86 " + " ".join(_groups(digits, (3, 4, 3))),
                    "-".join(_groups(digits, (3, 4, 3))),
                )
            )
            contact.pop("phones", None)
            contact["country"] = self._pick(_CN.countries)
        elif defect == "impossible_date":
            year = person.birth[0]
            contact["birth_date"] = self._pick(
                (
                    f"{year}-02-30",
                    f"{year}-04-31",
                    f"{year}-13-05",
                    f"31/06/{year}",
                    f"30.02.{year}",
                    "2023-02-30",
                )
            )
        elif defect == "future_birth_date":
            _, month, day = person.birth
            contact["birth_date"] = f"{self._between(2030, 2045)}-{month:02d}-{day:02d}"

    def _next_time(self) -> float:
        """An occurred-at time (epoch seconds) for the next event: increasing, jittered."""
        jitter = self.rng.uniform(-1.5, 1.5) * self.step
        t = _YEAR_2026 + self.seq * self.step + jitter
        return float(int(min(max(t, _YEAR_2026 + 86400.0), _YEAR_2026 + _UPSERT_SPAN)))

    def _stamp(self, t: float, loc: Locale) -> str:
        """Write a time as RFC 3339: mostly UTC ``Z``, sometimes local offset or milliseconds."""
        r = self.rng.random()
        if r < 0.82:
            return _utc_stamp(t)
        if r < 0.93:
            tz = timezone(timedelta(hours=loc.utc_offset))
            return datetime.fromtimestamp(t, tz).isoformat()
        stamp = datetime.fromtimestamp(t + self._between(0, 999) / 1000, UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _source(self) -> str:
        """Pick a source system by weight."""
        return self._weighted(self.sources, self.source_cum)

    def _external_id(self, source: str) -> str:
        """The next record id in a source's own id style."""
        self.ext_counters[source] += 1
        return _EXTERNAL_ID_FORMATS[source].format(self.ext_counters[source])

    def _remember(self, person: _Person) -> None:
        """Keep a person in the bounded window duplicates and hard negatives draw on."""
        if len(self.people) < self.window:
            self.people.append(person)
        else:
            self.people[self._below(self.window)] = person

    def _remember_record(self, rec: _Record) -> None:
        """Keep a source record in the bounded window updates and erasures draw on."""
        if len(self.records) < 2 * self.window:
            self.records.append(rec)
        else:
            self.records[self._below(2 * self.window)] = rec

    # -- persons -----------------------------------------------------------------------------

    def _given(self, loc: Locale, female: bool) -> Pair:
        """Pick a given name (local, Latin), common ones more often."""
        if female:
            return self._weighted(loc.given_f, loc.given_f_cum)
        return self._weighted(loc.given_m, loc.given_m_cum)

    def _new_person(self, loc: Locale | None = None) -> _Person:
        """Invent a person of ``loc`` (or a random locale)."""
        rng = self.rng
        if loc is None:
            loc = self._weighted(_LOCALES, _LOCALE_CUM)
        female = rng.random() < 0.5
        given, given_latin = self._given(loc, female)
        family, family_latin = self._weighted(loc.surnames, loc.surname_cum)
        common = _COMMON_NAMES.get(loc.code)
        if common is not None and rng.random() < 0.05:
            female = False
            (given, given_latin), (family, family_latin) = common
        if loc.code == "ES" and rng.random() < 0.5:
            second = self._pick(loc.surnames)[0]
            family = family_latin = f"{family} {second}"
        city = self._pick(loc.cities)
        year, month, day, street, house, pattern, word, sector, job, industry = self._indices(
            55,
            12,
            28,
            len(city.streets),
            240,
            len(loc.company_patterns),
            len(loc.company_words),
            len(loc.company_sectors),
            len(JOB_TITLES),
            len(INDUSTRIES),
        )
        self.person_count += 1
        person = _Person(
            pid=f"P{self.person_count:07d}",
            loc=loc,
            female=female,
            given=given,
            family=family,
            given_latin=given_latin,
            family_latin=family_latin,
            birth=(1950 + year, month + 1, day + 1),
            mobile=self._mobile(loc, city),
            landline=self._landline(city),
            city=city,
            street=street,
            house=house + 1,
            postcode=self._fill(self._pick(city.postcodes)),
            company=(pattern, word, sector),
            job=job,
            industry=industry,
            owner=(self._pick(_REGION_OWNERS[loc.code]) if rng.random() < 0.8 else self._pick(_OWNER_NAMES)),
        )
        person.email = self._email(person)
        return person

    def _pick(self, seq: Sequence[T]) -> T:
        """Pick one element uniformly (faster than ``Random.choice``)."""
        return seq[int(self._random() * len(seq))]

    def _below(self, stop: int) -> int:
        """Pick an integer in ``[0, stop)``."""
        return int(self._random() * stop)

    def _between(self, low: int, high: int) -> int:
        """Pick an integer in ``[low, high]``."""
        return low + int(self._random() * (high - low + 1))

    def _indices(self, *sizes: int) -> list[int]:
        """Pick one index below each size, all from a single random number.

        The product of the sizes must stay far below 2**53 so every index stays uniform.
        """
        r = self._random()
        out = []
        for size in sizes:
            r *= size
            index = int(r)
            out.append(index)
            r -= index
        return out

    def _weighted(self, seq: Sequence[T], cum_weights: Sequence[float]) -> T:
        """Pick one element with the given cumulative weights."""
        return seq[bisect(cum_weights, self._random() * cum_weights[-1])]

    def _fill(self, template: str) -> str:
        """Replace each ``#`` of a template with a random digit."""
        count = template.count("#")
        if not count:
            return template
        return template.replace("#", "{}").format(*self._digits(count))

    def _digits(self, count: int) -> str:
        """A string of ``count`` random digits."""
        return f"{int(self._random() * _POWERS_OF_TEN[count]):0{count}d}"

    def _mobile(self, loc: Locale, city: City) -> str:
        """A valid mobile national significant number for a city."""
        if city.mobile_prefixes:
            prefix = self._pick(city.mobile_prefixes)
            return prefix + self._digits(city.mobile_len - len(prefix))
        prefix = self._pick(loc.mobile_prefixes)
        return prefix + self._digits(loc.mobile_len - len(prefix))

    def _landline(self, city: City) -> str:
        """A valid landline national significant number for a city."""
        prefix = self._pick(city.land_prefixes)
        return prefix + self._digits(city.land_len - len(prefix))

    def _email(self, person: _Person) -> str:
        """The person's usual email address: name-based local part, personal or work domain."""
        rng = self.rng
        loc = person.loc
        if loc is _CN and rng.random() < 0.12:
            return f"{self._between(10000, 999999999)}@qq.com"
        umlaut = rng.random() < 0.5
        given = _email_token(person.given_latin, umlaut)
        family = _email_token(person.family_latin, umlaut)
        style = self._below(8)
        if style == 0:
            local = f"{given}.{family}"
        elif style == 1:
            local = f"{given}{family}"
        elif style == 2:
            local = f"{given[0]}.{family}"
        elif style == 3:
            local = f"{family}.{given}"
        elif style == 4:
            local = f"{given}_{family}"
        elif style == 5:
            local = f"{given}.{family}{self._between(1, 99)}"
        elif style == 6:
            local = f"{family}{given[0]}{person.birth[0] % 100:02d}"
        else:
            local = f"{given}{person.birth[0]}"
        if rng.random() < 0.35:
            _, word, sector = person.company
            slug = loc.company_words[word][1] + loc.company_sectors[sector][1]
            domain = _email_token(slug, False) + "." + loc.work_tld
        else:
            domain = self._pick(loc.email_domains)
        return f"{local}@{domain}"

    def _change_job(self, person: _Person) -> None:
        """Give a person another job title and, half the time, another company."""
        rng = self.rng
        person.job = self._pick([j for j in range(len(JOB_TITLES)) if j != person.job])
        if rng.random() < 0.5:
            loc = person.loc
            person.company = (
                self._below(len(loc.company_patterns)),
                self._below(len(loc.company_words)),
                self._below(len(loc.company_sectors)),
            )

    def _move(self, person: _Person, city: City | None = None) -> None:
        """Give a person a new address, in ``city`` or a random city of their country."""
        if city is None:
            city = self._pick(person.loc.cities)
        person.city = city
        person.street = self._below(len(city.streets))
        person.house = self._between(1, 240)
        person.postcode = self._fill(self._pick(city.postcodes))

    # -- contact fields ----------------------------------------------------------------------

    def _variations(self, person: _Person) -> set[str]:
        """Choose the variations a duplicate of ``person`` shows."""
        rng = self.rng
        loc = person.loc
        pool = [
            "name_typo",
            "swap_names",
            "missing_optional",
            "email_case_ws",
            "job_change",
            "address_change",
            "honorific",
            "cross_owner",
            "new_phone",
        ]
        if loc.native_script:
            pool += ["transliteration"] * 3
        else:
            pool.append("case")
            if not (person.given + person.family).isascii():
                pool += ["transliteration"] * 2
        if loc.code == "IR":
            pool += ["persian_variant"] * 3
        if person.given_latin in NICKNAMES:
            pool += ["nickname"] * 3
        if person.email.partition("@")[2] in TYPO_DOMAINS:
            pool.append("email_typo_domain")
        if loc.code in ("CN", "JP") or rng.random() < 0.2:
            pool.append("fullwidth")
        count = self._weighted(_DUP_VARIATION_COUNTS, _DUP_VARIATION_CUM)
        chosen = set(rng.sample(pool, count))
        if "email_typo_domain" in chosen:
            chosen.discard("new_phone")
        if "persian_variant" in chosen:
            chosen.discard("transliteration")
        return chosen

    def _contact(
        self,
        person: _Person,
        source: str,
        record_type: str,
        variations: set[str],
        mess: float,
    ) -> dict[str, Any]:
        """Build a contact (canonical field names) for one record of a person."""
        rng = self.rng
        loc = person.loc
        latin = not loc.native_script or rng.random() < (0.3 if source == "shop" else 0.1)
        if loc.native_script and "transliteration" in variations:
            latin = not latin
        if "persian_variant" in variations:
            latin = False
        if "job_change" in variations:
            self._change_job(person)
        if "address_change" in variations:
            self._move(person)
        contact = self._names(person, source, latin, variations, mess)
        missing_optional = "missing_optional" in variations
        include_country = rng.random() < (0.55 if missing_optional else 0.88)
        if include_country:
            contact["country"] = self._country(loc)

        email = person.email
        if "email_typo_domain" in variations:
            local, _, domain = email.partition("@")
            email = f"{local}@{self._pick(TYPO_DOMAINS[domain])}"
        if "email_case_ws" in variations or rng.random() < mess * 0.4:
            email = self._messy_email(email)
        contact["email"] = email
        if rng.random() < 0.04:
            local, _, domain = person.email.partition("@")
            other = self._pick([d for d in loc.email_domains if d != domain] or ["example.org"])
            contact["emails"] = [email, f"{local}@{other}"]

        mobile = person.mobile
        if "new_phone" in variations:
            mobile = person.mobile = self._mobile(loc, person.city)
        city = person.city
        if "shared_landline" in variations or rng.random() < 0.07:
            landline = self._phone(loc, person.landline, False, city, include_country)
            cell = self._phone(loc, mobile, True, city, include_country)
            shared_first = "shared_landline" in variations and rng.random() < 0.6
            contact["phone"] = landline if shared_first else cell
            contact["phones"] = [landline, cell] if shared_first else [cell, landline]
        else:
            contact["phone"] = self._phone(loc, mobile, True, city, include_country)
        if "fullwidth" in variations or (loc.native_script and rng.random() < mess * 0.1):
            contact["phone"] = contact["phone"].translate(_FULLWIDTH)

        company_odds = 0.35 if missing_optional else 0.6
        if record_type == "lead" or rng.random() < company_odds:
            contact["company"] = self._maybe_ws(self._company_name(person, latin and rng.random() < 0.7), mess)
        if rng.random() < (0.3 if missing_optional else 0.55):
            contact["job_title"] = self._job_title(loc, person.job)
        if rng.random() < (0.5 if record_type == "lead" else 0.3):
            canonical, variants = INDUSTRIES[person.industry]
            contact["industry"] = self._pick(variants) if rng.random() < 0.4 else canonical
        contact.update(self._address(person, latin, keep_all=False, sparse=missing_optional))
        if "fullwidth" in variations and "postcode" in contact:
            contact["postcode"] = contact["postcode"].translate(_FULLWIDTH)
        if rng.random() < (0.15 if missing_optional else 0.35):
            contact["birth_date"] = _format_date(self._pick(loc.date_formats), *person.birth)
        if rng.random() < 0.2:
            local_gender = loc.genders[person.female]
            latin_gender = ("male", "female")[person.female]
            contact["gender"] = self._pick((local_gender, latin_gender, latin_gender[0].upper()))
        if not loc.native_script and rng.random() < 0.08:
            slug = "-".join(_ascii(n).lower() for n in (person.given_latin, person.family_latin))
            suffix = int(person.pid[1:]) * 7919 % 1048576
            slug = slug.replace(" ", "-")
            contact["linkedin_url"] = f"https://www.linkedin.com/in/{slug}-{suffix:05x}"
        if rng.random() < 0.08:
            key = self._pick(EXTRA_KEYS)
            if key == "preferred_language":
                contact[key] = loc.language
            else:
                contact[key] = self._pick(_EXTRA_VALUES[key])
        return contact

    def _names(
        self,
        person: _Person,
        source: str,
        latin: bool,
        variations: set[str],
        mess: float,
    ) -> dict[str, Any]:
        """Name fields of a record, in the source's style (one full name, split, or both)."""
        rng = self.rng
        loc = person.loc
        native = not latin
        given, family = (person.given, person.family) if native else (person.given_latin, person.family_latin)
        if latin and loc.native_script and rng.random() < 0.3:
            given = self._pick(_ROMANIZATION_VARIANTS.get(given, (given,)))
            family = self._pick(_ROMANIZATION_VARIANTS.get(family, (family,)))
        if "transliteration" in variations and not loc.native_script:
            table = _UMLAUTS if rng.random() < 0.5 else _ASCII_EXTRA
            given = _ascii(given.translate(table))
            family = _ascii(family.translate(table))
        if "nickname" in variations:
            given = self._pick(NICKNAMES[person.given_latin])
        if "name_typo" in variations:
            if rng.random() < 0.5 and len(family) > 1:
                family = self._typo(family)
            else:
                given = self._typo(given)
        if loc.code == "IR" and native and ("persian_variant" in variations or rng.random() < mess * 0.5):
            given = self._persian_variant(given)
            family = self._persian_variant(family)

        full_odds, both_odds = _NAME_STYLE_ODDS[source]
        r = rng.random()
        style = "full" if r < full_odds else ("both" if r < full_odds + both_odds else "split")
        swap = "swap_names" in variations
        names: dict[str, Any] = {}
        if style != "split":
            names["full_name"] = self._full_name(loc, given, family, native, swap)
        if style != "full":
            names["first_name"], names["last_name"] = (family, given) if swap else (given, family)
            if source == "crm_legacy" and not loc.native_script and rng.random() < 0.2:
                names["middle_name"] = self._pick("ABCDEFGHJKLMNPRSTW") + "."

        if "honorific" in variations or rng.random() < mess * 0.1:
            self._add_honorific(names, person, native)
        legacy_upper = source == "crm_legacy" and rng.random() < 0.4
        if "case" in variations or legacy_upper or (latin and rng.random() < mess * 0.3):
            how = "upper" if legacy_upper else self._pick(("upper", "lower", "given_upper"))
            for key in names:
                if how == "upper" or (how == "given_upper" and key == "first_name"):
                    names[key] = names[key].upper()
                elif how == "lower":
                    names[key] = names[key].lower()
                else:
                    head, _, tail = names[key].partition(" ")
                    names[key] = f"{head.upper()} {tail.lower()}".strip()
        if "fullwidth" in variations or (latin and rng.random() < mess * 0.05):
            for key in names:
                names[key] = names[key].translate(_FULLWIDTH)
        for key in names:
            names[key] = self._maybe_ws(names[key], mess)
        return names

    def _full_name(self, loc: Locale, given: str, family: str, native: bool, swap: bool) -> str:
        """Compose a full name in the order and script people use."""
        rng = self.rng
        if native and loc.family_first:
            if swap:
                return f"{given} {family}"
            r = rng.random()
            sep = "" if r < 0.75 else (" " if r < 0.9 or loc.code != "JP" else "\u3000")
            return f"{family}{sep}{given}"
        if native:
            return f"{family}، {given}" if swap else f"{given} {family}"
        if swap:
            return self._pick((f"{family}, {given}", f"{family} {given}"))
        if loc.family_first:
            r = rng.random()
            if r < 0.5:
                return f"{given} {family}"
            return f"{family} {given}" if r < 0.8 else f"{family.upper()} {given}"
        return f"{given} {family}"

    def _add_honorific(self, names: dict[str, Any], person: _Person, native: bool) -> None:
        """Put a title (Mr., Frau, 先生, آقای ...) before or after the name."""
        loc = person.loc
        if native:
            title = self._pick(loc.honorifics_f if person.female else loc.honorifics_m)
            suffix = loc.honorific_suffix
        else:
            title = self._pick(_EN_HON_F if person.female else _EN_HON_M)
            suffix = False
        key = "full_name" if "full_name" in names else ("last_name" if suffix else "first_name")
        names[key] = f"{names[key]}{title}" if suffix else f"{title} {names[key]}"

    def _typo(self, text: str) -> str:
        """Misspell a name: a same-sounding CJK character, or a swapped/dropped/doubled letter."""
        if not text.isascii() and any(ch in _HOMOPHONES for ch in text):
            chars = [i for i, ch in enumerate(text) if ch in _HOMOPHONES]
            i = self._pick(chars)
            return text[:i] + _HOMOPHONES[text[i]] + text[i + 1 :]
        if len(text) < 3:
            return text + text[-1]
        i = 1 + self._below(len(text) - 2)
        op = self._below(4)
        if op == 0:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if op == 1:
            return text[:i] + text[i + 1 :]
        if op == 2:
            return text[:i] + text[i] + text[i:]
        vowels = "اویه" if any("\u0600" <= ch <= "\u06ff" for ch in text) else "aeiou"
        return text[:i] + self._pick(vowels) + text[i + 1 :]

    def _persian_variant(self, text: str) -> str:
        """Write Persian with Arabic yeh/kaf and a dropped or spaced ZWNJ."""
        rng = self.rng
        if rng.random() < 0.7:
            text = text.translate(_ARABIC_LETTERS)
        if "\u200c" in text:
            text = text.replace("\u200c", self._pick(("", " ")))
        return text

    def _maybe_ws(self, text: str, mess: float) -> str:
        """Sometimes add leading, trailing or doubled whitespace."""
        rng = self.rng
        if rng.random() >= mess * 0.3:
            return text
        op = self._below(3)
        if op == 0:
            return f"  {text}"
        if op == 1:
            return f"{text} \t"
        return text.replace(" ", "  ", 1) if " " in text else f" {text} "

    def _messy_email(self, email: str) -> str:
        """Change an email's case and surround it with whitespace."""
        rng = self.rng
        op = self._below(4)
        if op == 0:
            email = email.upper()
        elif op == 1:
            local, _, domain = email.partition("@")
            email = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.title()
        if rng.random() < 0.6:
            email = self._pick((f" {email} ", f"{email}  ", f"\t{email}"))
        return email

    def _country(self, loc: Locale) -> str:
        """The country as one of its names, aliases or codes, sometimes badly cased."""
        rng = self.rng
        country = self._pick(loc.countries)
        r = rng.random()
        if r < 0.05:
            return country.upper()
        if r < 0.1:
            return country.lower()
        if r < 0.15:
            return f" {country} "
        return country

    def _phone(self, loc: Locale, nsn: str, mobile: bool, city: City, national_ok: bool) -> str:
        """Write a number in one of the ways people do (E.164, 00, national, grouped...)."""
        rng = self.rng
        sizes = loc.mobile_groups if mobile else _land_groups(len(nsn), city.area_len)
        groups = _groups(nsn, sizes)
        trunk = loc.mobile_trunk if mobile else loc.land_trunk
        cc = loc.cc
        r = rng.random() if national_ok else rng.random() * 0.45
        if r < 0.12:
            text = f"+{cc}{nsn}"
        elif r < 0.27:
            text = f"+{cc} " + " ".join(groups)
        elif r < 0.35:
            text = f"00{cc} " + " ".join(groups)
        elif r < 0.40:
            text = f"+{cc}-" + "-".join(groups)
        elif r < 0.45:
            text = f"+{cc} (0)" + " ".join(groups) if trunk == "0" else f"+{cc}.{nsn}"
        elif r < 0.65:
            text = trunk + " ".join(groups)
        elif r < 0.77:
            text = trunk + "-".join(groups)
        elif r < 0.83:
            text = trunk + ".".join(groups)
        elif r < 0.92:
            text = f"({trunk}{groups[0]}) " + "-".join(groups[1:])
        else:
            text = trunk + nsn
        q = rng.random()
        if loc.code == "IR":
            if q < 0.35:
                text = text.translate(_PERSIAN_DIGITS)
            elif q < 0.4:
                text = text.translate(_ARABIC_INDIC_DIGITS)
        elif q < (0.08 if loc.native_script else 0.01):
            text = text.translate(_FULLWIDTH)
        return text

    def _company_name(self, person: _Person, latin: bool) -> str:
        """The person's company name, in the local script or Latin."""
        loc = person.loc
        pattern, word, sector = person.company
        i = 1 if latin else 0
        return loc.company_patterns[pattern][i].format(
            w=loc.company_words[word][i],
            s=loc.company_sectors[sector][i],
            c=person.city.latin if latin else person.city.name,
        )

    def _job_title(self, loc: Locale, job: int) -> str:
        """The person's job title: canonical, a variant, or in the local language."""
        rng = self.rng
        canonical, variants = JOB_TITLES[job]
        r = rng.random()
        if loc.local_titles and r < 0.3:
            return loc.local_titles[job]
        if r < 0.6:
            return self._pick(variants)
        return canonical

    def _address(self, person: _Person, latin: bool, keep_all: bool, sparse: bool = False) -> dict[str, Any]:
        """Street, city, postcode and state fields of a record (some left out)."""
        rng = self.rng
        loc = person.loc
        city = person.city
        odds = 1.0 if keep_all else (0.3 if sparse else 0.6)
        out: dict[str, Any] = {}
        native = loc.native_script and not latin
        if rng.random() < odds:
            template = city.streets[person.street][0 if native else 1]
            house = str(person.house)
            if loc.code == "IR" and native and rng.random() < 0.6:
                house = house.translate(_PERSIAN_DIGITS)
            out["street"] = self._maybe_ws(template.format(n=house), 0.3)
        if rng.random() < odds:
            if native:
                out["city"] = city.name
            else:
                out["city"] = city.latin if rng.random() < 0.5 else city.name
                if loc.native_script:
                    out["city"] = city.latin
        if rng.random() < odds * 0.9:
            postcode = person.postcode
            if loc.code == "IR" and native and rng.random() < 0.4:
                postcode = postcode.translate(_PERSIAN_DIGITS)
            out["postcode"] = postcode
        state = self._pick(city.states)
        if state and rng.random() < odds:
            out["state"] = state
        return out


def generate_events(
    persons: int,
    seed: int,
    *,
    duplicate_rate: float = 0.25,
    invalid_rate: float = 0.08,
    update_rate: float = 0.06,
    hard_negative_rate: float = 0.05,
    erasures: int = 5,
    sources: Sequence[str] = SOURCES,
    window: int = 5000,
) -> Iterator[GeneratedEvent]:
    """Stream generated events with their ground truth.

    The stream holds about ``persons / (1 - duplicate_rate - invalid_rate - update_rate)``
    upserts, then ``erasures`` deletions. Rates are shares of all events; hard negatives are
    persons of their own, so they count towards ``persons``.

    Args:
        persons: Number of distinct persons (originals + hard negatives).
        seed: Seed of the single random generator; the same arguments give the same stream.
        duplicate_rate: Share of events that re-enter a known person.
        invalid_rate: Share of events that must be quarantined.
        update_rate: Share of events that are new versions of a known source record.
        hard_negative_rate: Share of events that are look-alike different persons.
        erasures: Number of ``contact.deleted`` events at the end.
        sources: Sources to publish from (a subset of ``SOURCES``).
        window: How many recent persons duplicates, updates and hard negatives draw on
            (twice as many source records); bounds memory.

    Returns:
        An iterator of ``GeneratedEvent``.

    Raises:
        ValueError: For negative counts or rates, rates leaving no room for originals, or an
            unknown source.
    """
    generator = _Generator(
        persons,
        seed,
        duplicate_rate,
        invalid_rate,
        update_rate,
        hard_negative_rate,
        erasures,
        sources,
        window,
    )
    return generator.run()


# --------------------------------------------------------------------------------------------
# CSV rows and raw malformed payloads
# --------------------------------------------------------------------------------------------


def csv_fieldnames(source: str) -> list[str]:
    """CSV header for plain contact rows of one source, in that source's field names.

    Args:
        source: The source system.

    Returns:
        ``external_id``, the contact fields the source uses, then ``EXTRA_KEYS``.
    """
    mapping = SOURCE_FIELD_MAP.get(source, {})
    skip = {"erp": {"first_name", "middle_name", "last_name"}, "shop": {"full_name", "middle_name"}}
    fields = [mapping.get(f, f) for f in CONTACT_FIELDS if f not in skip.get(source, set())]
    return ["external_id", *fields, *EXTRA_KEYS]


def iter_csv_rows(
    events: Iterable[GeneratedEvent],
) -> Iterator[tuple[GeneratedEvent, dict[str, str]]]:
    """Turn generated events into plain CSV contact rows.

    Only what a spreadsheet can carry is kept: erasures, envelope-malformed events and leads
    missing their company (a CSV row has no record type) are skipped; the ``emails`` and
    ``phones`` lists are reduced to the single field. Generate with ``sources=(source,)`` so
    every row fits ``csv_fieldnames(source)``.

    Args:
        events: Generated events.

    Yields:
        Each kept event with its row (``None`` -> ``""``, booleans -> ``true``/``false``).
    """
    for generated in events:
        if (
            generated.kind == "erasure"
            or generated.detail.startswith("envelope:")
            or generated.detail == "lead_missing_company"
        ):
            continue
        event = generated.event
        mapping = SOURCE_FIELD_MAP.get(event["source"], {})
        row = {"external_id": event["external_id"]}
        for key, value in event["contact"].items():
            if isinstance(value, list):
                single = mapping.get(key[:-1], key[:-1])
                row.setdefault(single, str(value[0]))
            elif isinstance(value, bool):
                row[key] = "true" if value else "false"
            else:
                row[key] = "" if value is None else str(value)
        yield generated, row


def malformed_payloads(oversized_bytes: int = 200_000) -> list[tuple[str, bytes]]:
    """Raw Kafka message values that are not a decodable event at all.

    They cannot live in a JSON Lines file; ``python -m sample_data --malformed-out FILE``
    writes them one per line, base64-encoded, in this order: ``not_json``, ``truncated_json``,
    ``invalid_utf8``, ``utf16_with_bom``, ``json_array``, ``json_string``, ``json_number``,
    ``whitespace_only``, ``oversized``.

    Args:
        oversized_bytes: Size of the oversized (otherwise valid) event; the default is over
            the service's 64 KiB limit but under the broker's default 1 MB message limit, so
            that it can be published and must come back as `payload_too_large`.

    Returns:
        (name, payload) pairs.
    """
    valid = {
        "event_id": "webform-raw-0001",
        "source": "webform",
        "occurred_at": "2026-06-01T10:00:00Z",
        "contact": {"full_name": "王小明", "phone": "138 0013 8000", "notes": ""},
    }
    head = json.dumps(valid, ensure_ascii=False).encode()
    padding = max(0, oversized_bytes - len(head))
    valid["contact"]["notes"] = "x" * padding  # type: ignore[index]
    oversized = json.dumps(valid, ensure_ascii=False).encode()
    return [
        ("not_json", b"this is not json"),
        (
            "truncated_json",
            b'{"event_id": "webform-raw-0002", "source": "webform", "contact": {"fu',
        ),
        (
            "invalid_utf8",
            b'{"event_id": "erp-raw-0003", "source": "erp", "occurred_at": '
            b'"2026-06-01T10:00:00Z", "contact": {"fullName": "J\xfcrgen M\xfcller"}}',
        ),
        ("utf16_with_bom", json.dumps({"event_id": "shop-raw-0004"}).encode("utf-16")),
        ("json_array", b'[{"event_id": "webform-raw-0005"}]'),
        ("json_string", b'"contact.upserted"'),
        ("json_number", b"42"),
        ("whitespace_only", b" \t "),
        ("oversized", oversized),
    ]


def encode_malformed(payloads: Iterable[tuple[str, bytes]]) -> str:
    """Encode raw payloads as the ``malformed.b64`` text: one base64 payload per line.

    Args:
        payloads: (name, payload) pairs, as from ``malformed_payloads``.

    Returns:
        The file content.
    """
    return "".join(base64.b64encode(payload).decode("ascii") + "\n" for _, payload in payloads)
