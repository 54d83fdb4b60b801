"""The book as readers meet it: every page of the built HTML, in a real headless Chromium.

Marked ``browser``. Needs Debian's ``chromium`` and ``chromium-driver``
(``.ci/run`` installs them). Where they are missing the tests skip, unless
``MNISTBOOK_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
The book is built afresh into a temporary folder, so a stale ``_build`` can
never make these tests pass (the fixtures, shared with
``tests/test_demo_page.py``, are in ``tests/browser.py``). Screenshots go to
``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from browser import ROOT, SCREENSHOTS, browser, console_errors, open_page, server, site  # noqa: F401  (fixtures)

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())

pytestmark = pytest.mark.browser


def _pages() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [entry["file"] for entry in part["chapters"]]
    return files


PAGES = _pages()
NOTEBOOKS = [page for page in PAGES if (ROOT / f"{page}.ipynb").exists()]


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_with_title_navigation_images_and_no_console_errors(browser, server, page):
    open_page(browser, f"{server}/{page}.html")
    assert CONFIG["title"] in browser.title, browser.title
    nav_links = browser.execute_script(
        "return [...document.querySelectorAll('nav.bd-docs-nav a')].map(a => a.getAttribute('href'))"
    )
    for other in PAGES:
        if other == page:
            continue
        name = Path(other).name
        assert any(href and name in href for href in nav_links), f"navigation lacks a link to {other}: {nav_links}"

    images = browser.execute_script(
        "return [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0}))"
    )
    broken = [image["src"] for image in images if not image["ok"]]
    assert not broken, f"broken images on {page}: {broken}"
    if page in NOTEBOOKS or page == TOC["root"]:
        assert images, f"{page} shows no figure at all"

    errors = console_errors(browser)
    assert not errors, f"JavaScript console errors on {page}: {errors}"


@pytest.mark.parametrize("page", NOTEBOOKS)
def test_launch_and_download_buttons_point_to_the_notebook(browser, server, page):
    open_page(browser, f"{server}/{page}.html")
    hrefs = browser.execute_script("return [...document.querySelectorAll('a')].map(a => a.href)")
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{page}.ipynb"
    assert colab in hrefs, f"no 'open in Colab' link {colab} on {page}"

    downloads = [href for href in hrefs if href.endswith(f"_sources/{page}.ipynb")]
    assert downloads, f"no download link to {page}.ipynb on {page}"
    with urllib.request.urlopen(downloads[0]) as response:
        notebook = json.load(response)
    assert notebook["cells"], "the downloaded notebook is empty"


def test_search_finds_a_chapter_by_a_word_from_it(browser, server):
    open_page(browser, f"{server}/search.html?q=one-hot")
    deadline = time.monotonic() + 30
    results: list[str] = []
    while time.monotonic() < deadline and not results:
        results = browser.execute_script(
            "return [...document.querySelectorAll('#search-results a')].map(a => a.getAttribute('href'))"
        )
        time.sleep(0.2)
    assert any("05_one_hot_encoding" in href for href in results), results
    assert not console_errors(browser)


@pytest.mark.parametrize("page", [TOC["root"], "chapters/07_predicting"])
def test_screenshots_for_people_to_look_at(browser, server, page):
    open_page(browser, f"{server}/{page}.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{Path(page).name}.png"
    assert browser.save_screenshot(str(path)), f"could not save {path}"
    assert path.stat().st_size > 10_000
