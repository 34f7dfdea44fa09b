from django.conf import settings

from . import languages


def site(request):
    return {
        "site_name": settings.NEWSROOM_NAME,
        # <html lang>: the language of the site's own words, whatever the stories' languages.
        "interface_lang": languages.interface_language(),
        # The language a list's cards are assumed to be in: a card in another one says so.
        # A language's front page sets its own (articles/views.py LanguageFrontView).
        "page_language": languages.default_language(),
    }
