"""Who is asking: anonymous clients read what readers read; staff tokens what the admin shows."""

from articles.models import Article


def stories_for(request):
    """The stories this request may read: live() for everyone but staff with a token."""
    return Article.objects.live()
