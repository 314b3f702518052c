"""Japanese inside text of another language: finding it, and marking it `lang="ja"` in HTML, so a
screen reader reads 株式会社レッグス in a Japanese voice on an English page and the browser picks
Japanese glyphs for it (WCAG 3.1.2, language of parts).

Japanese here is kana, CJK ideographs, Japanese punctuation (、。「」 and the ideographic space) and
full-width forms (ＡＢＣ, （）): what the tests call "no Japanese" in an English mail too.
"""
import re

JAPANESE_CHARACTER = (
    "\u3000-\u303f"     # CJK symbols and punctuation: 、。「」〜 and the ideographic space
    "\u3040-\u309f"     # Hiragana
    "\u30a0-\u30ff"     # Katakana (with ・ and ー)
    "\u3400-\u4dbf"     # CJK ideographs, extension A
    "\u4e00-\u9fff"     # CJK unified ideographs
    "\uf900-\ufaff"     # CJK compatibility ideographs
    "\uff00-\uffef"     # half-width and full-width forms
)
JAPANESE = re.compile(f"[{JAPANESE_CHARACTER}]")
# A run: Japanese characters, with the spaces between them ("エニマイくじ カスタマーセンター" is one).
JAPANESE_RUN = re.compile(f"[{JAPANESE_CHARACTER}](?:[{JAPANESE_CHARACTER} ]*[{JAPANESE_CHARACTER}])?")
# The text between two tags of HTML that we rendered ourselves (so attribute values hold no "<" or ">").
TEXT_BETWEEN_TAGS = re.compile(r"(^|>)([^<]+)")


def has_japanese(text):
    return JAPANESE.search(text) is not None


def mark_japanese(html):
    """HTML (escaped text and tags, as our renderers make it) with every Japanese run of its text
    wrapped in <span lang="ja">, for a page in another language. Tags and attributes are kept."""
    def in_text(match):
        return match.group(1) + JAPANESE_RUN.sub(r'<span lang="ja">\g<0></span>', match.group(2))
    return TEXT_BETWEEN_TAGS.sub(in_text, html)
