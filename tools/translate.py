"""Keep translations/ in step with the code: the pybabel workflow in one script.

    python tools/translate.py update          # extract, merge into ja, compile
    python tools/translate.py set ja FILE     # set Japanese texts from a JSON {msgid: msgstr}
    python tools/translate.py check           # exit 1 if any msgid lacks its Japanese text

English is the source language: the msgids are the English texts, and gettext shows them whenever a
language has no catalog, so there is no en catalog to keep in step (it would only repeat every
msgid). The script holds a file lock, so several people (or agents) can run it at once without
losing each other's work.
"""
import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("ja",)          # every language but English, the source


def po_path(lang):
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(lang):
    with open(po_path(lang), "rb") as f:
        return read_po(f, locale=lang)


def save(catalog, lang):
    with open(po_path(lang), "wb") as f:
        write_po(f, catalog, width=100, sort_output=False)
    with open(po_path(lang).with_suffix(".mo"), "wb") as f:
        write_mo(f, catalog)


def pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def update():
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "--no-location",
            "--sort-output", "-o", str(POT), ".")
    for lang in LANGUAGES:
        if po_path(lang).exists():
            pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang,
                    "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)
    for lang in LANGUAGES:
        save(load(lang), lang)


def set_texts(lang, json_file):
    texts = json.loads(Path(json_file).read_text(encoding="utf-8"))
    catalog = load(lang)
    unknown = [msgid for msgid in texts if msgid not in catalog]
    for msgid, text in texts.items():
        if msgid in catalog:
            catalog[msgid].string = text
            catalog[msgid].flags.discard("fuzzy")
    save(catalog, lang)
    if unknown:
        print(f"{len(unknown)} msgids are not in the catalog (run update first?):", *unknown[:10], sep="\n  ")


def missing(lang="ja"):
    return [m.id for m in load(lang) if m.id and not m.string]


def main(argv):
    TRANSLATIONS.mkdir(exist_ok=True)
    with open(TRANSLATIONS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if argv[:1] == ["update"]:
            update()
        elif argv[:1] == ["set"] and len(argv) == 3:
            set_texts(argv[1], argv[2])
        elif argv[:1] == ["check"]:
            gaps = missing("ja")
            print(f"{len(gaps)} messages without Japanese text", *gaps[:40], sep="\n  ")
            return 1 if gaps else 0
        else:
            print(__doc__)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
