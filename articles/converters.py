class UnicodeSlugConverter:
    """Like Django's "slug" converter, but for slugs in any script ("сирия", "سوريا")."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
