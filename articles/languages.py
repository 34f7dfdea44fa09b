"""The languages stories are written in: their names, their direction, their addresses.

Settings list them (NEWSROOM_LANGUAGES: BCP 47 code, name in that language). A story's
`language` is one of those codes. The default language is the one LANGUAGE_CODE falls
under ("en-gb" falls under "en"): its stories live at the front page `/`, every other
configured language has a front of its own under `/<code>/` (articles/urls.py).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Written right to left. Django's LANG_INFO knows some of these ('bidi'), not ps, sd, yi
# or dv, and a newsroom needs the same answer for all of them, so the list is ours.
RTL_LANGUAGES = frozenset({"ar", "ckb", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv"})
# A script subtag overrides the language's usual direction: "ku-Arab" reads right to left,
# "ug-Latn" left to right.
RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm"})


def configured():
    """(code, name in its own language) pairs, in the order the admin offers them."""
    return [(code, name) for code, name in settings.NEWSROOM_LANGUAGES]


def codes():
    return [code for code, _ in configured()]


def name_of(code):
    """The language's name in its own language ("کوردی"), else the code itself."""
    return dict(configured()).get(code, code)


def default_language():
    """The configured language the site's LANGUAGE_CODE falls under: "en" for "en-gb".

    Stories store the configured code, not "en-gb": hreflang="en" then offers the story to
    every English reader, and the default language has one code however the site's own
    interface language is spelled.
    """
    site = settings.LANGUAGE_CODE.lower()
    for candidate in (site, site.split("-")[0]):
        for code in codes():
            if code.lower() == candidate:
                return code
    raise ImproperlyConfigured(
        f"NEWSROOM_LANGUAGES must include the site's language {settings.LANGUAGE_CODE!r} "
        f"(or {site.split('-')[0]!r})."
    )


def interface_language():
    """The language of the site's own words (navigation, labels), as HTML writes it: "en-GB"."""
    primary, _, rest = settings.LANGUAGE_CODE.partition("-")
    return f"{primary}-{rest.upper()}" if len(rest) == 2 else settings.LANGUAGE_CODE


def is_rtl(code):
    subtags = (code or "").lower().split("-")
    scripts = [s for s in subtags[1:] if len(s) == 4]
    if scripts:
        return scripts[0] in RTL_SCRIPTS
    return subtags[0] in RTL_LANGUAGES


def direction(code):
    return "rtl" if is_rtl(code) else "ltr"


def front_languages():
    """Languages with a front page of their own under /<code>/: all but the default."""
    default = default_language()
    return [code for code in codes() if code != default]


class FrontLanguageConverter:
    """A configured language with a front page of its own ("ckb"), never the default's.

    Two or three letters and optional subtags, so it cannot be a year (`/<int:year>/`) or a
    section (under /sections/); a code the settings do not list is no match, and the
    address falls through to the next pattern or a 404.
    """

    regex = r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"

    def to_python(self, value):
        if value not in front_languages():
            raise ValueError(f"{value!r} is not a language with a front page")
        return value

    def to_url(self, value):
        return value
