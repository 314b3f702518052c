"""The layering holds: import-linter's contracts (.importlinter), pure rules that import without
Flask or Peewee, and no import cycle anywhere in the project's own modules."""
import configparser
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("views", "commands", "forms", "madoguchi")


def pure_modules():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config["importlinter:contract:pure-rules"]["source_modules"].split()


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_pure_modules_import_where_flask_and_peewee_are_not_installed():
    """A fresh interpreter in which flask, peewee and the models cannot be imported at all."""
    graph = grimp.build_graph("madoguchi", cache_dir=None)
    modules = sorted({child for name in pure_modules()
                      for child in {name} | graph.find_descendants(name)})
    blocker = (
        "import sys\n"
        "class Refuse:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        top = name.split('.')[0]\n"
        "        if top in ('flask', 'peewee', 'playhouse', 'psycopg2', 'models', 'werkzeug')"
        " or top.startswith('flask_'):\n"
        "            raise ImportError(f'{name} is not available here')\n"
        "sys.meta_path.insert(0, Refuse())\n"
        f"for name in {modules!r}:\n"
        "    __import__(name)\n"
        "print(len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", blocker], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(modules) >= 14


def test_no_import_cycles_between_project_modules():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported != importer and graph.find_shortest_chain(imported, importer):
                cycles.append(f"{importer} -> {imported}")
    assert cycles == []
