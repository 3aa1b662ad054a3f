"""axe-core run inside the page the browser shows, once that page has finished loading.

A click on a link returns before the next page has loaded; injecting axe then can find a document with no head yet
("Cannot read properties of null (reading 'appendChild')", seen once in CI). So each run waits for the page to load
and, if the page was still changing under it, waits and runs again.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Error, Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ATTEMPTS = 3


def axe_violations(page: Page) -> list[dict]:
    """Every WCAG 2.2 A and AA violation axe-core finds on the loaded page, as axe reports them."""
    for attempt in range(1, ATTEMPTS + 1):
        page.wait_for_load_state("load")
        try:
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
            return result["violations"]
        except Error:
            if attempt == ATTEMPTS:
                raise
            page.wait_for_timeout(200)  # the page was navigating: let it settle, then load and inject again
    raise AssertionError("unreachable")


def accessibility_violations(page: Page) -> list[str]:
    """One line per WCAG 2.2 A or AA rule broken on the page."""
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)" for v in axe_violations(page)]


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 A and AA violations on the page, one line per rule, with its address."""
    return [
        f"{page.url} {v['id']}: {v['help']} ({len(v['nodes'])} elements)"
        for v in axe_violations(page)
        if v["impact"] in ("serious", "critical")
    ]
