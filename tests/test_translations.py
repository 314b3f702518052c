"""Every message exists in Japanese (English is the source: the msgids are the English texts), and
the committed .mo files match the .po files."""
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def catalog(lang, kind):
    path = ROOT / "translations" / lang / "LC_MESSAGES" / f"messages.{kind}"
    with open(path, "rb") as f:
        return read_po(f) if kind == "po" else read_mo(f)


@pytest.mark.parametrize("lang", ["ja"])
def test_every_message_is_translated(lang):
    missing = [m.id for m in catalog(lang, "po") if m.id and not m.string]
    assert missing == []


@pytest.mark.parametrize("lang", ["ja"])
def test_compiled_catalog_matches_the_po_file(lang):
    po = {m.id: m.string for m in catalog(lang, "po") if m.id and "fuzzy" not in m.flags}
    mo = {m.id: m.string for m in catalog(lang, "mo") if m.id}
    assert po == mo


def test_every_message_in_the_code_is_in_the_catalog(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "N_", "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        in_code = {m.id for m in read_po(f) if m.id}
    in_catalog = {m.id for m in catalog("ja", "po") if m.id}
    assert sorted(in_code - in_catalog) == []


def test_english_pages_are_the_source_texts_without_a_catalog(client):
    """No en catalog: an English visitor gets the msgids, which are the English texts."""
    assert not (ROOT / "translations" / "en").exists()
    page = client.get("/contact/form", headers={"Accept-Language": "en"}).get_data(as_text=True)
    label = "I have read and agree to the handling of personal information"
    assert label in page
    assert catalog("ja", "po")[label].string not in page
