"""The built book in a real headless Chromium: fixtures and helpers shared by the browser tests.

``tests/test_browser.py`` (every page) and ``tests/test_demo_page.py`` (the
"Draw a digit" page) import the fixtures from here. The book is built once
per test session, afresh, into a temporary folder, so a stale ``_build`` can
never make these tests pass; each test module gets its own localhost server
and its own Chromium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs
them). Where they are missing the tests skip, unless
``MNISTBOOK_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

_built: dict[str, Path] = {}


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """Build the book into a temporary folder, once per session; return its html folder."""
    if "html" not in _built:
        out = tmp_path_factory.mktemp("book")
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        result = subprocess.run(
            [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        _built["html"] = out / "_build" / "html"
    return _built["html"]


@pytest.fixture(scope="module")
def server(site):
    """Serve the built book on an ephemeral localhost port; yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def start_chromium(profile: Path, *, network_log: bool = False):
    """A headless Chromium driven through chromedriver, with console logging on
    (and Chrome's network log, for ``network_log=True``); skips without Chromium."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        message = f"needs {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver"
        if os.environ.get("MNISTBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    logs = {"browser": "ALL"}
    if network_log:
        logs["performance"] = "ALL"
    options.set_capability("goog:loggingPrefs", logs)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium driven through chromedriver, with console logging on."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


def open_page(browser, url: str) -> None:
    """Load ``url`` and wait until the document has finished loading."""
    browser.get_log("browser")  # forget earlier pages' messages
    browser.get(url)
    deadline = time.monotonic() + 30
    while browser.execute_script("return document.readyState") != "complete":
        assert time.monotonic() < deadline, f"{url} did not finish loading"
        time.sleep(0.1)


def console_errors(browser) -> list[str]:
    """The console's error messages since the last call (or the last :func:`open_page`)."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
