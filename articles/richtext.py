"""The story body's editor: django-prose-editor (ProseMirror), and what it may make.

EXTENSIONS is the one list of what a body can hold: the toolbar offers it and the sanitizer
(articles/sanitize.py) keeps exactly the tags and attributes django-prose-editor derives from
it, so nothing the toolbar makes is lost on save and nothing kept is impossible to make.
"""

from django.forms import Script
from django_prose_editor.widgets import (
    AdminProseEditorWidget,
    prose_editor_admin_media,
    prose_editor_js,
)
from js_asset import Media

EXTENSIONS = {
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    # No "open in a new window": a reader's browser decides that. No links made from typed
    # addresses either, which would also stretch a link over the words typed after it.
    "Link": {"enableTarget": False, "autolink": False},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    # Shift+Enter; also keeps the line breaks of a pasted address or verse.
    "HardBreak": True,
    # django-prose-editor turns the browser's spell checker off unless told otherwise.
    "NoSpellCheck": False,
}

# The data attribute the editor's script looks for (static/admin/newsroom/richtext.js).
PRESET = "newsroom"

# The model's help text still describes the HTML a fixture or an import may hold.
BODY_HELP = (
    "Enter starts a new paragraph; Ctrl+K (⌘K) adds a link to selected words. Pasted text "
    "keeps its paragraphs, links, bold, italics and lists; fonts and colours are dropped."
)


class BodyEditor(AdminProseEditorWidget):
    """The body's rich-text widget, its scripts and styles served from our own static files.

    The import map that lets the editor's modules find each other is an inline script, so it
    carries the request's CSP nonce (`request.csp_nonce`, given by ArticleAdmin).
    """

    def __init__(self, *, nonce="", attrs=None):
        super().__init__(attrs=attrs, config={"extensions": EXTENSIONS}, preset=PRESET)
        self.nonce = nonce

    @property
    def media(self):
        ours = Media(
            # ProseMirror's own rules, which it would otherwise inject as an inline <style>,
            # and the desk's look, after django-prose-editor's.
            css={"all": ["django_prose_editor/overrides.css", "admin/newsroom/richtext.css"]},
            js=[prose_editor_js, Script("admin/newsroom/richtext.js", type="module")],
        )
        return (prose_editor_admin_media + ours).with_nonce(self.nonce)
