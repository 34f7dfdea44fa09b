import json

from taggit.forms import TagWidget
from taggit.utils import parse_tags


class TagChipsWidget(TagWidget):
    """taggit's comma-separated text box, which static/admin/newsroom/tags.js turns into chips.

    Without JavaScript it is the text box it always was. With it, each tag is a removable
    chip, suggestions come from `suggestions_url` as one types, and the box sends back every
    chip in double quotes, so a tag with spaces or a comma reaches taggit's parser whole.
    """

    def __init__(self, attrs=None, *, suggestions_url=""):
        super().__init__(attrs)
        self.suggestions_url = suggestions_url

    class Media:
        css = {"all": ("admin/newsroom/tags.css",)}
        js = ("admin/newsroom/tags.js",)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text = context["widget"]["value"] or ""
        # The chips the script draws are the tags taggit would save from this text: the
        # script never parses the text itself, so it cannot disagree with the parser.
        context["widget"]["attrs"].update(
            {
                "data-tag-chips": json.dumps(parse_tags(text)),
                "data-suggestions-url": self.suggestions_url,
                "autocomplete": "off",
            }
        )
        return context
