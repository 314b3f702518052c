"""Every message exists in Japanese and English, and the committed .mo files match the .po files."""
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


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_message_is_translated(lang):
    missing = [m.id for m in catalog(lang, "po") if m.id and not m.string]
    assert missing == []


@pytest.mark.parametrize("lang", ["ja", "en"])
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
