"""Sphinx extension: two fixes for JavaScript errors in the book's pages, and
the files of the "Draw a digit" page.

Loaded from _config.yml (sphinx.local_extensions). The two fixes were found
by tests/test_browser.py:

1. With Jupyter Book 1.0.4 on Sphinx 7.4, sphinx-thebe and
   sphinx-togglebutton register their inline scripts twice, so every page
   declared `const THEBE_JS_URL` twice and the browser reported "Uncaught
   SyntaxError: Identifier 'THEBE_JS_URL' has already been declared".
   Repeated <script> tags are dropped (the copies differ only in a file name
   of None against "", so Sphinx does not see them as equal).
2. With no theme mode set, the theme's script logs "Got invalid theme mode"
   as an error on a reader's first visit (sphinx-book-theme leaves the
   template's `default_mode` empty). It is set to "auto": follow the
   reader's system setting.

The folder ``demo/`` (the page's script, style sheet and the exported
network's weights) is added to ``html_static_path``, so its files are copied
into ``_build/html/_static/``; chapters/draw_a_digit.md loads them with its
own <script> tags, so no other page does. It is added here rather than in
_config.yml because Jupyter Book, once the book has a ``_static`` folder,
would load every .js and .css file of every static path on every page.
"""

from __future__ import annotations

from pathlib import Path


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    seen = set()
    unique = []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _default_theme_mode(app, pagename, templatename, context, doctree) -> None:
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def _add_demo_files(app, config) -> None:
    demo = Path(app.srcdir) / "demo"
    if demo.is_dir():
        config.html_static_path = [*config.html_static_path, str(demo)]


def setup(app):
    app.connect("config-inited", _add_demo_files)
    app.connect("html-page-context", _dedupe_scripts, priority=400)
    app.connect("html-page-context", _default_theme_mode, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
