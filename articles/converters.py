class UnicodeSlugConverter:
    """Like Django's "slug" converter, but for slugs in any script ("сирия", "سوريا")."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class FrontLanguageConverter:
    """A configured language with a front page of its own ("ckb"), never the default's.

    Two or three letters and optional subtags, so it cannot be a year (`/<int:year>/`) or a
    section (under /sections/); a code the settings do not list is no match, and the
    address falls through to the next pattern or a 404.
    """

    regex = r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"

    def to_python(self, value):
        from .languages import front_languages

        if value not in front_languages():
            raise ValueError(f"{value!r} is not a language with a front page")
        return value

    def to_url(self, value):
        return value
