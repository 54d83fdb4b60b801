"""The "Draw a digit" page (chapters/draw_a_digit.md, demo/), in a real headless Chromium.

Marked ``browser``; the book is built once for these tests and
``tests/test_browser.py`` (fixtures in ``tests/browser.py``). They prove that
the page's plain JavaScript is the book's Python:

- its network (``mnistDemo.predict``) gives the answers of the exported
  network rebuilt in Keras (``tools/export_demo_model.py``'s
  :func:`keras_model`) on 1,000 MNIST test images, probabilities within 1e-4,
  and its first layer's feature maps agree too;
- its preparation of a drawing (``mnistDemo.prepare``) gives the 28×28 image
  of ``mnistbook.prepare_image`` for the same pictures to 1e-5 (the page
  repeats NumPy's float32 steps and Pillow's Lanczos filter, so they agree
  to a float32 rounding), symmetric pictures whose center of mass falls
  exactly between two pixels included;
- a digit drawn with the mouse, stroke by stroke, is read correctly (at least
  9 of the 10 digits), and so are the page's own ten example digits, loaded
  from the keyboard; the answer for screen readers is visually hidden and
  agrees with the answer shown once a stroke ends;
- the numbers the page shows come from the weights file's meta, and the
  links into chapters 11 and 12 land on their sections;
- the page loads its scripts and weights from the built book (``_static``),
  requests nothing from outside localhost, logs no console error, works when
  the book is opened from disk (file://), and is interactive in under 2 s.

Screenshots after drawing a digit, light and dark: ``artifacts/screenshots/``.
Needs ``demo/mnist_demo_model.js`` (``make demo-model``).
"""

from __future__ import annotations

import importlib.util
import json
import math
import time

import numpy as np
import pytest
from browser import ROOT, SCREENSHOTS, console_errors, open_page, server, site, start_chromium  # noqa: F401  (fixtures)

import mnistbook

pytestmark = pytest.mark.browser

PAGE = "chapters/draw_a_digit"
SIZE = 280  # the page's drawing resolution (SIZE in demo/mnist_demo.js)
PEN = 20  # its pen width on that scale (LINE in demo/mnist_demo.js)

_spec = importlib.util.spec_from_file_location("export_demo_model_for_page", ROOT / "tools" / "export_demo_model.py")
export = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(export)


# ----------------------------------------------------------------------------
# Digits as strokes, on the page's 280 × 280 scale: lists of (x, y) points.
# Angles in degrees, clockwise on screen: 0 right, 90 down, 180 left, 270 up.
# ----------------------------------------------------------------------------


def _arc(cx, cy, rx, ry, start, end, steps=24):
    return [
        (cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
         cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
        for i in range(steps + 1)
    ]


STROKES = {
    0: [_arc(140, 140, 60, 90, 260, 625, 40)],
    1: [[(150, 50), (136, 230)]],
    2: [_arc(140, 100, 55, 50, 190, 375) + [(85, 228), (200, 228)]],
    3: [_arc(135, 95, 52, 45, 200, 450) + _arc(135, 182, 58, 48, 270, 500)[1:]],
    4: [[(170, 50), (85, 170), (205, 170)], [(170, 100), (170, 232)]],
    5: [[(195, 55), (110, 55), (100, 130)] + _arc(138, 175, 60, 55, 235, 505)],
    6: [[(175, 52), (120, 100), (90, 165)] + _arc(140, 175, 52, 52, 180, -170, 30)],
    7: [[(85, 58), (200, 58), (125, 232)]],
    8: [_arc(140, 95, 44, 42, 90, 450), _arc(140, 180, 55, 48, 270, 630)],
    9: [_arc(135, 100, 52, 48, 0, 360), [(187, 105), (175, 232)]],
}


def _densify(points, step=6.0):
    """Points no more than ``step`` apart, so mouse moves trace the stroke."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
    return out


def _render(strokes, *, scale=1.0, shift=(0, 0), stretch=(1.0, 1.0), pen=PEN, ink=255, paper=0):
    """The strokes as a SIZE × SIZE grayscale uint8 picture, drawn with PIL at twice
    the size with round pen ends and shrunk by averaging, so edges are gray (like a
    browser canvas's anti-aliasing)."""
    from PIL import Image, ImageDraw

    big = Image.new("L", (2 * SIZE, 2 * SIZE), paper)
    draw = ImageDraw.Draw(big)
    for stroke in strokes:
        points = [
            (2 * (140 + (x - 140) * scale * stretch[0] + shift[0]), 2 * (140 + (y - 140) * scale * stretch[1] + shift[1]))
            for x, y in stroke
        ]
        if len(points) > 1:
            draw.line(points, fill=ink, width=round(2 * pen * scale), joint="curve")
        r = pen * scale
        for x, y in (points[0], points[-1]):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=ink)
    return np.asarray(big.reduce(2), dtype=np.uint8)


# ----------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec() -> dict:
    if not export.MODEL_JS.exists():
        pytest.fail(f"{export.MODEL_JS.relative_to(ROOT)} is missing: run `make demo-model`")
    return export.read_spec()


@pytest.fixture(scope="module")
def keras_demo_model(spec):
    return export.keras_model(spec)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """This module's own Chromium, with Chrome's network log on."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), network_log=True)
    driver.set_script_timeout(300)
    yield driver
    driver.quit()


def _wait_ready(browser) -> dict:
    """Wait for ``mnistDemo.ready``; return {ok, meta | error}."""
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (!window.mnistDemo) { done({ok: false, error: 'window.mnistDemo is missing'}); return; }"
        "window.mnistDemo.ready.then(meta => done({ok: true, meta: meta}),"
        " error => done({ok: false, error: String(error)}));"
    )


def _open_demo(browser, url: str) -> None:
    open_page(browser, url)
    state = _wait_ready(browser)
    assert state["ok"], state


@pytest.fixture
def page(browser, server, spec):
    """The page with the network ready (opened once, and again after a test went elsewhere)."""
    url = f"{server}/{PAGE}.html"
    if browser.current_url != url:
        _open_demo(browser, url)
    return browser


def _settle(browser) -> None:
    """Let the page draw and answer: it works in animation frames."""
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => done())));"
    )


def _answer(browser) -> dict:
    return browser.execute_script(
        "const root = document.getElementById('mnist-demo');"
        "const bars = [...root.querySelectorAll('.mnist-demo-bar-value')].map(b => b.textContent);"
        "return {digit: root.getAttribute('data-answer'),"
        " shown: root.querySelector('[data-demo=digit]').textContent,"
        " live: root.querySelector('[data-demo=live]').textContent.trim(),"
        " sure: root.querySelector('[data-demo=sure]').textContent, bars: bars};"
    )


def _clear(browser) -> None:
    browser.find_element("css selector", "#mnist-demo [data-demo=clear]").click()
    _settle(browser)


def _draw(browser, strokes) -> None:
    """Draw ``strokes`` on the canvas with the mouse, as W3C pointer actions."""
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    canvas = browser.find_element("css selector", "#mnist-demo [data-demo=canvas]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    width, height = canvas.size["width"], canvas.size["height"]
    actions = ActionBuilder(browser, mouse=PointerInput(interaction.POINTER_MOUSE, "mouse"), duration=0)
    for stroke in strokes:
        points = [(round(x * width / SIZE - width / 2), round(y * height / SIZE - height / 2)) for x, y in _densify(stroke)]
        actions.pointer_action.move_to(canvas, *points[0])
        actions.pointer_action.pointer_down()
        for point in points[1:]:
            actions.pointer_action.move_to(canvas, *point)
        actions.pointer_action.pointer_up()
    actions.perform()
    _settle(browser)


# ----------------------------------------------------------------------------
# The page's network is the exported network
# ----------------------------------------------------------------------------


def test_the_page_answers_like_keras_on_1000_test_images(page, keras_demo_model, real_mnist):
    images = real_mnist.x_test[:1000]
    expected = keras_demo_model.predict(images.reshape(-1, 28, 28, 1).astype("float32") / 255.0, verbose=0)
    got = []
    started = time.perf_counter()
    for start in range(0, len(images), 100):
        batch = images[start : start + 100].reshape(-1, 784).tolist()  # 0-255, scaled in the page like NumPy
        got += page.execute_script(
            "return arguments[0].map(image => window.mnistDemo.predict(image.map(v => v / 255)));", batch
        )
    seconds = time.perf_counter() - started
    got = np.array(got)
    assert got.shape == (1000, 10)
    diff = float(np.abs(got - expected).max())
    differ = np.flatnonzero(got.argmax(axis=1) != expected.argmax(axis=1))
    print(f"\n1,000 test images in the page: {seconds:.1f} s; largest probability difference from Keras {diff:.2e}")
    assert differ.size == 0, f"the page and Keras disagree on test images {differ.tolist()}"
    assert diff < 1e-4


def test_the_pages_feature_maps_are_the_first_layers_output(page, keras_demo_model, real_mnist):
    import keras

    first = keras.Model(keras_demo_model.inputs, keras_demo_model.layers[0].output)
    images = real_mnist.x_test[:5]
    expected = first.predict(images.reshape(-1, 28, 28, 1).astype("float32") / 255.0, verbose=0)  # (5, 26, 26, 32)
    got = page.execute_script(
        "return arguments[0].map(image => window.mnistDemo.featureMaps(image.map(v => v / 255)).map(m => Array.from(m)));",
        images.reshape(-1, 784).tolist(),
    )
    got = np.array(got).reshape(5, 32, 26, 26).transpose(0, 2, 3, 1)
    assert float(np.abs(got - expected).max()) < 1e-4
    shown = page.execute_script("return document.querySelectorAll('#mnist-demo canvas.mnist-demo-map').length")
    assert shown == 32


# ----------------------------------------------------------------------------
# The page prepares a drawing as mnistbook.prepare_image does
# ----------------------------------------------------------------------------


def _slanted_line():
    """A reviewer's picture: 40×40, a white line 2 pixels wide from (x=18, y=15) to
    (x=20, y=25). Symmetric, so its center of mass falls exactly between two pixels:
    the shift is a tie that both must round the same way (half to even)."""
    from PIL import Image, ImageDraw

    picture = Image.new("L", (40, 40), 0)
    ImageDraw.Draw(picture).line((18, 15, 20, 25), fill=255, width=2)
    return np.asarray(picture)


def _plus_sign():
    """A plus sign centred on an even-sized canvas, taller than wide: shrunk to
    17×20 pixels, its center of mass is again exactly between two pixels."""
    picture = np.zeros((40, 40), dtype=np.uint8)
    picture[8:32, 19:21] = 255  # the upright bar, 24 tall
    picture[19:21, 10:30] = 255  # the cross bar, 20 wide
    return picture


PICTURES = {f"digit {d}": (lambda d=d: _render(STROKES[d])) for d in range(10)}
PICTURES.update({
    "dark ink on white paper (inverted)": lambda: _render(STROKES[2], ink=0, paper=255),
    "small and off center": lambda: _render(STROKES[3], scale=0.35, shift=(70, -80)),
    "wider than tall": lambda: _render(STROKES[7], stretch=(1.6, 0.6)),
    "thin and tall": lambda: _render(STROKES[1], pen=8),
    "gray ink on gray paper": lambda: _render(STROKES[5], ink=190, paper=60),
    "a dot": lambda: _render([[(100, 200)]], scale=0.5),
    "slanted line, center between pixels": _slanted_line,
    "plus sign, center between pixels": _plus_sign,
    "plus sign on its side (tie in y)": lambda: _plus_sign().T.copy(),
})


def test_the_page_prepares_a_drawing_as_prepare_image_does(page):
    worst = {}
    for name, make in PICTURES.items():
        picture = make()
        expected = mnistbook.prepare_image(picture)
        got = page.execute_script(
            "const p = window.mnistDemo.prepare(arguments[0], arguments[1], arguments[2]);"
            "return p && Array.from(p);",
            picture.ravel().tolist(), picture.shape[1], picture.shape[0],
        )
        assert got is not None, f"{name}: the page found no digit"
        worst[name] = float(np.abs(np.array(got).reshape(28, 28) - expected).max())
    print("\nlargest difference from prepare_image, per picture:")
    for name, diff in worst.items():
        print(f"  {name:36} {diff:.1e}")
    assert max(worst.values()) < 1e-5, worst


def test_a_blank_picture_is_no_digit_for_both(page):
    blank = np.full((60, 80), 200, dtype=np.uint8)
    with pytest.raises(mnistbook.ImageError):
        mnistbook.prepare_image(blank)
    assert page.execute_script("return window.mnistDemo.prepare(arguments[0], 80, 60)", blank.ravel().tolist()) is None


# ----------------------------------------------------------------------------
# Drawing on the page
# ----------------------------------------------------------------------------


def test_digits_drawn_with_the_mouse_are_read(page):
    answers = {}
    for digit, strokes in STROKES.items():
        _clear(page)
        _draw(page, strokes)
        answer = _answer(page)
        answers[digit] = answer["digit"]
        print(f"drew a {digit}: the page reads {answer['digit']} ({answer['bars'][int(answer['digit'])]})")
        assert answer["shown"] == answer["digit"]
        # the pen is up: screen readers are told the answer on the screen
        assert answer["live"].startswith(f"The network reads {'an' if answer['digit'] == '8' else 'a'} "
                                         f"{answer['digit']}, with probability "), answer["live"]
        assert answer["sure"].startswith("probability "), answer["sure"]
    right = sum(str(digit) == answer for digit, answer in answers.items())
    print(f"{right} of 10 drawn digits read correctly: {answers}")
    assert right >= 9, answers


def test_the_example_digits_load_from_the_keyboard_and_are_read(page):
    from selenium.webdriver.common.keys import Keys

    for digit in range(10):
        button = page.find_element("css selector", f"#mnist-demo [data-example='{digit}']")
        button.send_keys(Keys.ENTER)  # a focused button, pressed with the keyboard
        _settle(page)
        _settle(page)
        answer = _answer(page)
        assert answer["digit"] == str(digit), (digit, answer)
        assert answer["live"].startswith(f"The network reads {'an' if digit == 8 else 'a'} {digit},"), answer["live"]
    _clear(page)
    _settle(page)
    answer = _answer(page)
    assert answer["digit"] is None and answer["shown"] == "?"
    assert "empty" in answer["live"]


def test_the_screen_reader_sentence_is_not_shown_but_is_read(page):
    """The aria-live sentence repeats the answer box for screen readers, after
    each stroke; on screen it would be out of date while a stroke goes on."""
    live = page.execute_script(
        "const el = document.querySelector('#mnist-demo [data-demo=live]');"
        "const box = el.getBoundingClientRect(), style = getComputedStyle(el);"
        "return {width: box.width, height: box.height, position: style.position, clip: style.clip,"
        " display: style.display, visibility: style.visibility, polite: el.getAttribute('aria-live'),"
        " hidden: el.getAttribute('aria-hidden')};"
    )
    assert live["width"] <= 1 and live["height"] <= 1 and live["position"] == "absolute", live
    assert live["display"] != "none" and live["visibility"] != "hidden" and live["hidden"] is None, live
    assert live["polite"] == "polite"


def test_the_page_shows_the_measured_numbers_from_the_weights_file(page, spec):
    meta = spec["meta"]
    shown = page.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('[data-meta]')]"
        ".map(el => [el.getAttribute('data-meta'), el.textContent]))"
    )
    assert shown["test_accuracy"] == f"{100 * meta['test_accuracy']:.1f}%"
    assert shown["uci_accuracy"] == f"{100 * meta['uci_accuracy']:.1f}%"
    assert shown["test_images"] == f"{meta['test_images']:,}"
    assert shown["uci_images"] == f"{meta['uci_images']:,}"
    # every number the page asks for is in the file (none of the keys the export dropped)
    missing = sorted(set(shown) - set(meta))
    sentence = page.execute_script(
        "const el = document.querySelector('.mnist-demo-from-meta');"
        "return el && {visible: !el.hidden && el.getClientRects().length > 0, text: el.textContent};"
    )
    assert sentence, "the sentence on the answers the export changed is missing"
    changed = meta.get("validation_answers_changed_by_export")
    if changed is None:  # a weights file made before the key existed: the sentence is left out
        assert missing == ["validation_answers_changed_by_export"], missing
        assert not sentence["visible"]
    else:
        assert not missing, f"the page shows numbers the weights file does not have: {missing}"
        assert sentence["visible"]
        assert sentence["text"] == ": " + ("none" if changed == 0 else f"{changed:,}"), sentence


@pytest.mark.parametrize("where, chapter", [
    (".mnist-demo-maps a", "11_convnet.html"),  # the feature maps' caption: chapter 11's filters
    ("a[href*='folding-batch-normalization']", "12_saving_and_your_digit.html"),  # the folding, in chapter 12
])
def test_the_links_into_the_chapters_land_on_their_sections(page, site, where, chapter):
    href = page.execute_script("return document.querySelector(arguments[0]).getAttribute('href')", where)
    target, anchor = href.split("#")
    assert target == chapter
    assert (site / "chapters" / target).exists()
    assert f'id="{anchor}"' in (site / "chapters" / target).read_text()


# ----------------------------------------------------------------------------
# Loading: from the book, nothing from outside, fast, also from disk
# ----------------------------------------------------------------------------


def test_the_page_loads_its_files_from_the_book_and_nothing_from_elsewhere(browser, server, site, spec):
    browser.get_log("performance")  # forget earlier requests
    _open_demo(browser, f"{server}/{PAGE}.html")
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    assert requests, "Chrome's network log is empty"
    outside = [url for url in requests if not url.startswith((server + "/", "data:", "blob:"))]
    assert not outside, f"requests leaving localhost: {outside}"
    for name in ("mnist_demo_model.js", "mnist_demo.js", "mnist_demo.css"):
        assert f"{server}/_static/{name}" in requests, f"{name} was not loaded from _static"
        assert (site / "_static" / name).exists()

    timings = browser.execute_script("return window.mnistDemo.timings")
    print(f"\nweights decoded in {timings['decode_ms']:.0f} ms; page interactive {timings['interactive_ms']:.0f} ms "
          "after navigation start")
    assert timings["interactive_ms"] < 2000
    errors = console_errors(browser)
    assert not errors, f"JavaScript console errors on {PAGE}: {errors}"


def test_other_pages_do_not_load_the_demo(browser, server):
    open_page(browser, f"{server}/chapters/intro.html")
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert not [url for url in loaded if "mnist_demo" in url]


def test_the_page_works_from_disk(browser, site, spec):
    _open_demo(browser, (site / f"{PAGE}.html").as_uri())
    browser.find_element("css selector", "#mnist-demo [data-example='4']").click()
    _settle(browser)
    assert _answer(browser)["digit"] == "4"


# ----------------------------------------------------------------------------
# For people to look at; last, so the page's console has seen everything
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot_after_drawing_and_no_console_errors(browser, server, spec, theme):
    browser.set_window_size(1280, 1400)
    open_page(browser, f"{server}/{PAGE}.html")
    browser.execute_script("localStorage.setItem('mode', arguments[0]); localStorage.setItem('theme', arguments[0]);"
                           "document.documentElement.dataset.mode = arguments[0];"
                           "document.documentElement.dataset.theme = arguments[0];", theme)
    assert _wait_ready(browser)["ok"]
    _draw(browser, STROKES[3])
    assert _answer(browser)["digit"] == "3"
    browser.execute_script("document.querySelector('#mnist-demo').scrollIntoView({block: 'start'});"
                           "window.scrollBy(0, -90)")
    _settle(browser)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / ("draw_a_digit.png" if theme == "light" else "draw_a_digit_dark.png")
    assert browser.save_screenshot(str(path)), f"could not save {path}"
    assert path.stat().st_size > 10_000
    errors = console_errors(browser)
    assert not errors, f"JavaScript console errors on {PAGE}: {errors}"
    browser.set_window_size(1280, 1000)
