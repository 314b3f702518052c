"""axe-core (bundled in the axe-playwright-python package, no download) run on a page as it is
now, against the WCAG rule sets the site promises: 2.0/2.1/2.2 A and AA."""
from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


def axe_violations(page):
    """Each violation as 'rule-id: target, target… (help)', for a readable assertion message."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'])} ({v['help']})"
            for v in results.response["violations"]]


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
