"""Sphinx extension: two fixes for JavaScript errors in the book's pages.

Both were found by tests/test_browser.py; loaded from _config.yml
(sphinx.local_extensions).

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
"""

from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=400)
    app.connect("html-page-context", _default_theme_mode, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
