"""Katakana loanwords in organisation names, read as the English words they come from.

Japanese lists write foreign organisations' names in katakana, word for word:
コリア・デソン・ジェネラル・トレーディング・コーポレーション is "Korea Daesong General Trading
Corporation". A transliteration gives "jeneraru toreedingu kooporeeshon", which no spelling
rule brings back to "general trading corporation"; this glossary of the common words does. The
words are replaced only where they stand alone (between ・, spaces or other scripts), except the
few that Japanese glues onto a name as a suffix (アルファバンク, "Alfa-Bank").
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
    "インターナショナル": "international",
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
