"""The report in a real browser: headless Debian chromium loads every image, logs no errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from filmoteca.report import build_report
from servers import CHROMIUM
from test_report import FIGURES, random_catalog

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report of a factory-built catalog."""
    catalog = random_catalog(tmp_path_factory.mktemp("cat") / "catalogo", n=200)
    return build_report(catalog, tmp_path_factory.mktemp("informe")).path


def _screens_dir(tmp_path: Path) -> Path:
    """Where screenshots go: FILMOTECA_CAPTURAS if set (to look at them), else tmp."""
    path = Path(os.environ.get("FILMOTECA_CAPTURAS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_every_image_loads_without_console_errors(
    browser: Any, report: Path, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"{r.url}: {r.failure}"))
    page.goto(report.as_uri(), wait_until="load")
    for _ in range(60):  # images below the first screen load lazily: scroll past them all
        page.mouse.wheel(0, 1200)
        page.wait_for_timeout(30)
    page.wait_for_timeout(300)
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({ok: e.complete && e.naturalWidth > 0, alt: e.alt}))"
    )
    assert len(images) == sum(len(keys) for keys in FIGURES.values())
    assert [i["alt"] for i in images if not i["ok"]] == []
    assert errors == []
    assert page.title() == "Informe exploratorio del catálogo"
    for anchor in page.eval_on_selector_all("nav a", "els => els.map(e => e.hash)"):
        assert page.locator(anchor).count() == 1
    page.screenshot(path=str(_screens_dir(tmp_path) / "informe.png"), full_page=True)
    page.close()


def test_report_fits_a_phone_screen(browser: Any, report: Path, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(report.as_uri(), wait_until="load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(_screens_dir(tmp_path) / "informe_movil.png"))
    page.close()
