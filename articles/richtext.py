"""The story body's editor: django-prose-editor (ProseMirror), and what it may make.

EXTENSIONS is the one list of what a body can hold: the toolbar offers it and the sanitizer
(articles/sanitize.py) keeps exactly the tags and attributes django-prose-editor derives from
it, so nothing the toolbar makes is lost on save and nothing kept is impossible to make.

StoryPicture is ours: a picture from the library, stored as a reference
(`<figure data-image="photos/2026/11/flood.jpg"></figure>`, the picture's natural key) that the
story page expands (articles/templatetags/article_tags.py). django-prose-editor learns of it
from settings.DJANGO_PROSE_EDITOR_EXTENSIONS, its way for a project's own extensions: the
module that defines the node (static/admin/newsroom/story-picture.js) and the HTML it writes.
"""

from django.forms import Script
from django.urls import reverse_lazy
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
    # A library picture, as a reference; the toolbar's "Picture" button picks or uploads one.
    "StoryPicture": True,
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
        config = {"extensions": {**EXTENSIONS, "StoryPicture": picture_options()}}
        super().__init__(attrs=attrs, config=config, preset=PRESET)
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


def picture_options():
    """Where the picture button finds the library: the admin's own chooser and upload popups
    (a raw-id field's magnifier and "+"), and what the editor shows of a picture."""
    return {
        "chooserUrl": reverse_lazy("admin:photos_image_changelist"),
        "uploadUrl": reverse_lazy("admin:photos_image_add"),
        "detailsUrl": reverse_lazy("admin:photos_image_pictures"),
    }
