"""Names to comparable forms: Unicode NFKC, Latin transliteration (Japanese with kanji readings),
case, punctuation, honorifics and legal forms.

A name gives one or more :class:`Form` s, each a tuple of lower-case ASCII tokens with the legal
form pulled out, because one name can be read several ways:

* Japanese (kana, or kanji with kana) is read with UniDic through cutlet (Hepburn, long vowels
  kept as written and also shortened: "Toushiba" and "Toshiba"), and katakana also "de-voweled"
  so that a loanword written in katakana meets its Latin spelling (ロステック: "rosutekku" and
  "rostek");
* Han characters without kana are read both as Chinese (ICU pinyin) and as Japanese;
* every other script goes through ICU's Any-Latin; Latin diacritics are folded.

Legal forms across languages (Co., Ltd. / Kabushiki Kaisha / 株式会社 / OOO / JSC / GmbH ...) map
to one short code each (``LEGAL_FORMS``), kept apart from the name's own tokens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import icu

from econsec.protect.screening.katakana import loanwords, terms

_ANY_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
_HAN_LATIN = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")

#: Legal forms -> one code. Multi-word forms are matched as whole token runs, longest first.
LEGAL_FORMS: dict[str, str] = {
    # Japan
    "kabushiki kaisha": "kk",
    "kabushikigaisha": "kk",
    "kabushiki gaisha": "kk",
    "kk": "kk",
    "k k": "kk",
    "yugen kaisha": "yk",
    "yuugen kaisha": "yk",
    "yk": "yk",
    "godo kaisha": "gk",
    "goudou kaisha": "gk",
    "gk": "gk",
    "gomei kaisha": "gmk",
    "goshi kaisha": "gsk",
    "ippan shadan hojin": "ish",
    "zaidan hojin": "zh",
    "kaisha": "kk",
    # English
    "company limited": "ltd",
    "co ltd": "ltd",
    "co limited": "ltd",
    "limited": "ltd",
    "ltd": "ltd",
    "pte ltd": "ltd",
    "pvt ltd": "ltd",
    "private limited": "ltd",
    "limited liability company": "llc",
    "llc": "llc",
    "l l c": "llc",
    "llp": "llp",
    "incorporated": "inc",
    "inc": "inc",
    "corporation": "corp",
    "corp": "corp",
    "company": "co",
    "co": "co",
    "plc": "plc",
    "public limited company": "plc",
    "lp": "lp",
    # Russian / post-Soviet (transliterated)
    "obshchestvo s ogranichennoi otvetstvennostiu": "llc",
    "obshchestvo s ogranichennoy otvetstvennostyu": "llc",
    "obsestvo s ogranicennoj otvetstvennostu": "llc",
    "akcionernoe obsestvo": "jsc",
    "publichnoye aktsionernoye obshchestvo": "jsc",
    "publicnoe akcionernoe obsestvo": "jsc",
    "ooo": "llc",
    "too": "llc",
    "aktsionernoe obshchestvo": "jsc",
    "aktsionernoye obshchestvo": "jsc",
    "ao": "jsc",
    "zao": "jsc",
    "oao": "jsc",
    "pao": "jsc",
    "jsc": "jsc",
    "ojsc": "jsc",
    "cjsc": "jsc",
    "pjsc": "jsc",
    "joint stock company": "jsc",
    "open joint stock company": "jsc",
    "closed joint stock company": "jsc",
    "public joint stock company": "jsc",
    "joint-stock company": "jsc",
    "fgup": "fsue",
    "fsue": "fsue",
    "gup": "sue",
    "nao": "jsc",
    "federal state unitary enterprise": "fsue",
    "ip": "ie",
    # German, French, Italian, Spanish, Dutch, Nordic, Chinese
    "aktiengesellschaft": "ag",
    "ag": "ag",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "gmbh": "gmbh",
    "kg": "kg",
    "se": "se",
    "sa": "sa",
    "sarl": "sarl",
    "sas": "sas",
    "societe anonyme": "sa",
    "spa": "spa",
    "srl": "srl",
    "sl": "sl",
    "bv": "bv",
    "nv": "nv",
    "ab": "ab",
    "as": "as",
    "oy": "oy",
    "youxian gongsi": "ltd",
    "gufen youxian gongsi": "ltd",
    "youxian zeren gongsi": "llc",
    "gongsi": "co",
    "fzco": "fzco",
    "fze": "fze",
    "fzc": "fzc",
    "llc fz": "llc",
    "sdn bhd": "sdn",
    "societatea cu raspundere limitata": "srl",
    "sp z o o": "spzoo",
    "spzoo": "spzoo",
    "sp zoo": "spzoo",
    "ltda": "ltd",
    "limitada": "ltd",
    "sa de cv": "sa",
    "ano": "ano",
    "avtonomnaya nekommercheskaya organizatsiya": "ano",
    "bhd": "bhd",
    "tbk": "tbk",
    "pt": "pt",
}
#: Legal forms written in their own script, replaced before transliteration.
NATIVE_FORMS = {
    "株式会社": " kabushiki kaisha ",
    "\uff08株\uff09": " kabushiki kaisha ",
    "(株)": " kabushiki kaisha ",
    "有限責任会社": " llc ",
    "公開株式会社": " pjsc ",
    "非公開株式会社": " cjsc ",
    "連邦国家単一企業": " fsue ",
    "有限会社": " yugen kaisha ",
    "合同会社": " godo kaisha ",
    "合名会社": " gomei kaisha ",
    "合資会社": " goshi kaisha ",
    "一般社団法人": " ippan shadan hojin ",
    "公益財団法人": " zaidan hojin ",
    "一般財団法人": " zaidan hojin ",
    "有限公司": " youxian gongsi ",
    "股份有限公司": " gufen youxian gongsi ",
    "有限责任公司": " youxian zeren gongsi ",
    "公司": " gongsi ",
    "\u041e\u041e\u041e": " ooo ",
    "\u041e\u0410\u041e": " oao ",
    "\u0417\u0410\u041e": " zao ",
    "\u041f\u0410\u041e": " pao ",
    "\u0410\u041e": " ao ",
    "\u0424\u0413\u0423\u041f": " fgup ",
}
_HONORIFICS = (
    "mr mrs ms miss mx dr prof sir madam mme mlle herr frau sr sra don dona sheikh shaykh "
    "haji hajji hadji general gen col colonel maj major capt captain lt lieutenant adm admiral "
    "hon honorable excellency san sama kun president minister senator judge lord lady dame "
    "king queen prince princess emir shaikh sheik mullah mulla maulvi maulana"
)
HONORIFICS = frozenset(_HONORIFICS.split())
_STOPWORDS = "of the and for de del la le les van von der den y e et und & a"
STOPWORDS = frozenset(_STOPWORDS.split())

_FORMS_BY_LENGTH = sorted(LEGAL_FORMS, key=lambda f: -len(f.split()))
_NATIVE_BY_LENGTH = sorted(NATIVE_FORMS.items(), key=lambda kv: -len(kv[0]))
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_KATAKANA = re.compile(r"[\u30a0-\u30ff\uff66-\uff9f]+")
_KATAKANA_RUN = re.compile(r"([\u30a0-\u30ff\uff66-\uff9f]+)")
_LONG_VOWEL = re.compile(r"ou|uu|oo|ee|ii|aa")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_TRAD_SIMP = icu.Transliterator.createInstance("Traditional-Simplified")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_BGN = tuple(
    icu.Transliterator.createInstance(f"{language}-Latin/BGN; Latin-ASCII")
    for language in ("Russian", "Ukrainian")
)
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff]")
_PUNCT = re.compile(r"[^a-z0-9 ]+")
#: Apostrophes and modifier letters, dropped inside words (O'Brien, Qa'ida, soft signs).
_APOSTROPHES = re.compile(r"['`\u00b4\u02b9-\u02bf\u2018\u2019\u201b\u2032]")
_ORDINAL = re.compile(r"\d+(st|nd|rd|th)")
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
_TEENS = "fifteen sixteen seventeen eighteen nineteen"
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
_NUMBER_WORDS: dict[str, int] = {
    **{w: n for n, w in enumerate((_UNITS + " " + _TEENS).split())},
    **{w: 20 + 10 * n for n, w in enumerate(_TENS.split())},
    **{w: n + 1 for n, w in enumerate(_ORDINALS.split())},
}
_SEPARATORS = re.compile(r"[=\u30fb\uff65\uff1d\u00b7,\uff0c\u3001/]")


@dataclass(frozen=True, slots=True)
class Form:
    """One reading of a name: its tokens (legal form removed) and the legal form code."""

    tokens: tuple[str, ...]
    legal: str = ""
    script: str = "latin"

    @property
    def text(self) -> str:
        """Tokens joined by spaces."""
        return " ".join(self.tokens)

    @property
    def key(self) -> str:
        """Tokens sorted and joined without spaces: order and spacing do not matter."""
        return "".join(sorted(self.tokens))


@lru_cache(maxsize=1)
def _cutlet() -> object:
    import cutlet

    reader = cutlet.Cutlet()
    reader.use_foreign_spelling = False  # ロステック -> "rosutekku", not "Loss technical"
    return reader


def _romaji(text: str) -> str:
    return str(_cutlet().romaji(text))  # type: ignore[attr-defined]


def devowel(romaji: str) -> str:
    """A katakana loanword's Latin spelling without Japanese epenthetic vowels: 'rosutekku' ->
    'rostek', 'musutafa' -> 'mustafa' (heuristic: drop u after a syllable-final consonant and o
    after t/d, before a consonant or at the end; shorten doubled consonants)."""
    word = re.sub(r"([bcdfghjkmnprstvwz])\1", r"\1", romaji)
    # Not after a word's first consonant: ムジャヒド "mujahido" keeps its "mu" (Mujahid).
    word = re.sub(r"(?<=[aeiouy][bfgkmprsz])u(?=[bcdfghjkmnprstvwz]|$)", "", word)
    return re.sub(r"(?<=[td])o(?=[bcdfghjkmnprstvwz]|$)", "", word)


def _kana_romaji(text: str) -> tuple[str, str]:
    """Japanese text with kana as (reading, loanword reading). Each katakana run (a word written
    phonetically) becomes one token, so cutlet's word splits inside it do not break the name;
    the loanword reading also drops the run's epenthetic vowels."""
    plain: list[str] = []
    loan: list[str] = []
    for part in _KATAKANA_RUN.split(text):
        if not part.strip():
            continue
        if _KATAKANA_RUN.fullmatch(part):
            word = re.sub(r"[^a-z0-9]+", "", _ascii(_romaji(part)).lower())
            plain.append(word)
            loan.append(devowel(_LONG_VOWEL.sub(lambda m: m.group(0)[0], word)))
        else:
            reading = _romaji(part)
            plain.append(reading)
            loan.append(reading)
    return " ".join(plain), " ".join(loan)


def _readings(text: str) -> list[tuple[str, str]]:
    """Latin readings of ``text``: (reading, script)."""
    if _KANA.search(text):
        romaji, loan = _kana_romaji(text)
        out = [(romaji, "ja")]
        short = _LONG_VOWEL.sub(lambda m: m.group(0)[0], romaji.lower())
        if short != romaji.lower():
            out.append((short, "ja"))
        if _KATAKANA.search(text):
            out.append((loan, "ja-loan"))
        return out
    if _HAN.search(text):
        out = [(_HAN_LATIN.transliterate(text), "zh")]
        japanese = _romaji(text)
        if "?" not in japanese:  # UniDic knows every character: could be Japanese
            out.append((japanese, "ja-han"))
            short = _LONG_VOWEL.sub(lambda m: m.group(0)[0], japanese.lower())
            if short != japanese.lower():
                out.append((short, "ja-han"))
        return out
    if _HANGUL.search(text):
        return [(hangul_romaji(text, dprk), "ko") for dprk in (False, True)]
    if _NON_LATIN.search(text):
        script = "ar" if _ARABIC.search(text) else "translit"
        out = [(_ANY_LATIN.transliterate(text), script)]
        if _CYRILLIC.search(text):  # also as the lists romanise: BGN/PCGN (Zelenskyy, not -kij)
            out += [(bgn.transliterate(text), script) for bgn in _CYRILLIC_BGN]
        return out
    return [(text, "latin")]


def _ascii(text: str) -> str:
    """Latin letters without diacritics (NFKD splits them off; ASCII drops them)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _numbers(tokens: list[str]) -> list[str]:
    """Number words and ordinals as digits: 'forty four' -> '44', 'first' / '1st' -> '1'."""
    out: list[str] = []
    for token in tokens:
        value = _NUMBER_WORDS.get(token)
        if value is None and _ORDINAL.fullmatch(token):
            value = int(token[:-2])
        elif value is None and token.isdigit() and len(token) == 1:
            value = int(token)
        if value is not None and out and out[-1].isdigit() and 20 <= int(out[-1]) < 100:
            tens = int(out[-1])
            if tens % 10 == 0 and value < 10:
                out[-1] = str(tens + value)
                continue
        out.append(str(value) if value is not None else token)
    return out


def _acronyms(tokens: list[str]) -> list[str]:
    """Runs of single letters as one token: 'a b c company' (A.B.C. Company) -> 'abc company'."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            out.append("".join(run))
            run = []
        if token:
            out.append(token)
    return out


def _split(text: str, org: bool, latin: bool = True) -> Form:
    text = _ascii(_APOSTROPHES.sub("", text)).lower()
    tokens = _numbers(_PUNCT.sub(" ", text.replace("&", " and ")).split())
    if latin and not org:  # titles of persons; a reading's syllables are not ("he" = 何)
        tokens = [t for t in tokens if t not in HONORIFICS] or tokens
    legal = ""
    if org:
        tokens = _acronyms(tokens)
        joined = " " + " ".join(tokens) + " "
        for phrase in _FORMS_BY_LENGTH:
            if f" {phrase} " in joined:
                legal = legal or LEGAL_FORMS[phrase]
                joined = joined.replace(f" {phrase} ", " ")
        kept = [t for t in joined.split() if t not in STOPWORDS]
        tokens = kept or tokens
    return Form(tuple(tokens), legal)


@lru_cache(maxsize=200_000)
def forms(name: str, org: bool = False) -> tuple[Form, ...]:
    """Every comparable reading of ``name`` (``org``: strip legal forms and stopwords)."""
    text = _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", name)).strip()
    if not text:
        return ()
    for native, latin in _NATIVE_BY_LENGTH:
        if native in text:
            text = text.replace(native, latin)
    if _KATAKANA.search(text):
        text = loanwords(text)
    if _KANA.search(text) or _HAN.search(text):  # translated institutional terms, in English
        text = terms(text)
    out: list[Form] = []
    if _HAN.search(text) and not _KANA.search(text):
        characters = _HAN.findall(_TRAD_SIMP.transliterate(text))
        out.append(Form(tuple(characters), "", "han"))
    for reading, script in _readings(text):
        form = _split(reading, org, script == "latin")
        if form.tokens:
            out.append(Form(form.tokens, form.legal, script))
    return tuple(dict.fromkeys(out))


# Hangul syllable = 19 initials x 21 medials x 28 finals from U+AC00. Two romanisations: South
# Korea's Revised Romanisation, and the DPRK style the sanctions lists use (Kim Jong Un, Ri, Pak,
# Chol: k/t/p/ch initials, o/u for the "eo"/"eu" vowels). Each syllable is a token, as on the lists.
def _table(row: str) -> tuple[str, ...]:
    return tuple(row.split(" "))


_INITIALS = (
    _table("g kk n d tt r m b pp s ss - j jj ch k t p h"),
    _table("k kk n t tt r m p pp s ss - j jj ch k t p h"),
)
_MEDIALS = (
    _table("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i"),
    _table("a ae ya yae o e yo ye o wa wae oe yo u wo we wi yu u ui i"),
)
_FINALS = _table("- k k k n n n t l k m l l l p l m p p t t ng t t k t p t")


def hangul_romaji(text: str, dprk: bool = False) -> str:
    """Hangul to Latin, one token per syllable (``dprk``: the North Korean style)."""
    out: list[str] = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            initial = _INITIALS[dprk][code // 588].strip("-")
            medial = _MEDIALS[dprk][(code % 588) // 28]
            final = _FINALS[code % 28].strip("-")
            out.append(f" {initial}{medial}{final} ")
        else:
            out.append(char)
    return str(_ANY_LATIN.transliterate("".join(out)))


def initials(tokens: tuple[str, ...]) -> str:
    """First letters of the tokens, e.g. ('john', 'f', 'kennedy') -> 'jfk'."""
    return "".join(t[0] for t in tokens if t)
