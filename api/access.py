"""Who is asking: anonymous clients read what readers read; staff tokens what the admin shows."""

from articles.models import Article

from .auth import token_user


def stories_for(request):
    """The stories this request may read: live() for everyone but staff with a token.

    A staff token reads every story, as the admin lists them for its owner (api/auth.py
    refuses a token whose owner may not open stories there). A bad token raises Problem.
    """
    if token_user(request) is None:
        return Article.objects.live()
    return Article.objects.all()
