"""Katakana loanwords and kanji institutional terms in organisation names, read in English.

Japanese lists write foreign organisations' names in katakana, word for word:
コリア・デソン・ジェネラル・トレーディング・コーポレーション is "Korea Daesong General Trading
Corporation". A transliteration gives "jeneraru toreedingu kooporeeshon", which no spelling
rule brings back to "general trading corporation"; this glossary of the common words does. The
words are replaced only where they stand alone (between ・, spaces or other scripts), except the
few that Japanese glues onto a name as a suffix (アルファバンク, "Alfa-Bank").

METI and MOF also *translate* the descriptive part of a foreign organisation's name into kanji:
株式会社ヴィボルグ造船所 is "JSC Vyborg Shipyard", 株式会社全ロシア無線技術研究所 "JSC All-Russian
Research Institute of Radio Engineering". ``TERMS`` reads the common institutional terms back
into English, so that the proper name (ヴィボルグ, Vyborg) is not alone against a row of English
words it cannot match. The same terms occur in Chinese names (研究所, 银行).
"""

from __future__ import annotations

import re

#: Words replaced where they stand alone.
WORDS = {
    "カンパニー": "company",
    "カンパニーズ": "companies",
    "コーポレーション": "corporation",
    "コーポ": "corp",
    "コープ": "corp",
    "リミテッド": "limited",
    "インコーポレイテッド": "incorporated",
    "インク": "inc",
    "ジョイント": "joint",
    "ベンチャー": "venture",
    "トレーディング": "trading",
    "トレード": "trade",
    "シッピング": "shipping",
    "インダストリアル": "industrial",
    "ナショナル": "national",
    "ジェネラル": "general",
    "ゼネラル": "general",
    "コマーシャル": "commercial",
    "セントラル": "central",
    "ユナイテッド": "united",
    "フォーリン": "foreign",
    "オーバーシーズ": "overseas",
    "テクニカル": "technical",
    "アソシエイテッド": "associated",
    "アソシエーション": "association",
    "ファウンデーション": "foundation",
    "オーガニゼーション": "organization",
    "インスティテュート": "institute",
    "ユニバーシティ": "university",
    "ラボラトリー": "laboratory",
    "アドミニストレーション": "administration",
    "デパートメント": "department",
    "ミニストリー": "ministry",
    "ディフェンス": "defense",
    "セキュリティ": "security",
    "ミリタリー": "military",
    "コミッション": "commission",
    "コミッティー": "committee",
    "パーティー": "party",
    "ワーカーズ": "workers",
    "ユニオン": "union",
    "プロジェクト": "project",
    "リサーチ": "research",
    "エアロスペース": "aerospace",
    "エアクラフト": "aircraft",
    "アビエーション": "aviation",
    "アヴィエーション": "aviation",
    "エアラインズ": "airlines",
    "エアライン": "airline",
    "マシナリー": "machinery",
    "マシーナリー": "machinery",
    "マニュファクチャリング": "manufacturing",
    "エレクトロニクス": "electronics",
    "エレクトロニック": "electronic",
    "ケミカル": "chemical",
    "ファクトリー": "factory",
    "ファクトリーズ": "factories",
    "ペトロリアム": "petroleum",
    "オイル": "oil",
    "スチール": "steel",
    "メタル": "metal",
    "マイニング": "mining",
    "ロジスティクス": "logistics",
    "トランスポート": "transport",
    "ナビゲーション": "navigation",
    "マリタイム": "maritime",
    "マリン": "marine",
    "エクスポート": "export",
    "インポート": "import",
    "インベストメント": "investment",
    "インベストメンツ": "investments",
    "マネジメント": "management",
    "ファンド": "fund",
    "ソリューションズ": "solutions",
    "エナジー": "energy",
    "エネルギー": "energy",
    "イースト": "east",
    "ウエスト": "west",
    "ウェスト": "west",
    "ノース": "north",
    "サウス": "south",
    "コリア": "korea",
    "オブ": "of",
    "アンド": "and",
    "フォー": "for",
    "ザ": "the",
}
#: Words also replaced at the end of a katakana compound.
SUFFIXES = {
    "バンク": "bank",
    "グループ": "group",
    "ホールディングス": "holdings",
    "ホールディング": "holding",
    "テクノロジーズ": "technologies",
    "テクノロジー": "technology",
    "エンジニアリング": "engineering",
    "サービス": "service",
    "システムズ": "systems",
    "システム": "system",
    "センター": "center",
    "ヘリコプターズ": "helicopters",
    "ヘリコプター": "helicopters",
    "インダストリーズ": "industries",
    "インダストリー": "industry",
    "エクスプレス": "express",
    "インターナショナル": "international",
}
_KATAKANA = "\u30a1-\u30fa\u30fc"
_WORDS = re.compile(
    "|".join(
        [f"(?<![{_KATAKANA}]){re.escape(w)}(?![{_KATAKANA}])" for w in sorted(WORDS, key=len)[::-1]]
        + [f"{re.escape(w)}(?![{_KATAKANA}])" for w in sorted(SUFFIXES, key=len)[::-1]]
    )
)
_ENGLISH = {**WORDS, **SUFFIXES}


def loanwords(text: str) -> str:
    """``text`` with the glossary's katakana words replaced by their English source words."""
    return _WORDS.sub(lambda m: f" {_ENGLISH[m.group(0)]} ", text)


#: Kanji institutional terms -> English (longest first when replacing). Two characters at least:
#: a single one is too often part of a proper name (東 "east" is also the 東 of 東芝, Toshiba).
TERMS = {
    "学術生産企業": "scientific production enterprise",
    "学術生産センター": "scientific production center",
    "科学生産企業": "scientific production enterprise",
    "科学技術センター": "scientific technical center",
    "研究生産企業": "research production enterprise",
    "研究生産法人": "research production corporation",
    "特別設計局": "special design bureau",
    "設計局": "design bureau",
    "研究所": "research institute",
    "研究センター": "research center",
    "科学研究所": "scientific research institute",
    "国家単一企業": "state unitary enterprise",
    "単一企業": "unitary enterprise",
    "造船所": "shipyard",
    "航空機修理工場": "aircraft repair plant",
    "修理工場": "repair plant",
    "工場": "plant",
    "製作所": "works",
    "国防省": "ministry defence",
    "内務省": "ministry internal affairs",
    "外務省": "ministry foreign affairs",
    "商業銀行": "commercial bank",
    "中央銀行": "central bank",
    "銀行": "bank",
    "银行": "bank",
    "貿易会社": "trading corporation",
    "貿易": "trading",
    "会社": "company",
    "運動": "movement",
    "解放軍": "liberation army",
    "全ロシア": "all russian",
    "国立": "state",
    "国家": "state",
    "国営": "state",
    "連邦": "federal",
    "共和国": "republic",
    "委員会": "committee",
    "基金": "foundation",
    "協会": "association",
    "大学": "university",
    "無線技術": "radio engineering",
    "無線": "radio",
    "電子": "electronic",
    "電気": "electrical",
    "機械": "mechanical",
    "技術": "technology",
    "科学": "scientific",
    "航空機": "aircraft",
    "航空": "aviation",
    "自動車": "auto",
    "兵器": "arms",
    "石油": "oil",
    "海運": "shipping",
    "鉄道": "railway",
    "通信": "communications",
    "名称": "named after",
    "朝鮮": "korea",
    "中国": "china",
    "北京": "beijing",
    "香港": "hong kong",
    "上海": "shanghai",
    "深圳": "shenzhen",
}
_TERMS = re.compile("|".join(re.escape(t) for t in sorted(TERMS, key=len, reverse=True)))


def terms(text: str) -> str:
    """``text`` with the glossary's kanji terms replaced by English words."""
    return _TERMS.sub(lambda m: f" {TERMS[m.group(0)]} ", text)
