"""Surrogate keys: what a public page shows, and which pages a change touches.

Every public response names what it shows (``Surrogate-Key``, set by the page cache
middleware from ``response.surrogate_keys``). A change readers could see purges exactly the
keys it touches, in the app's page cache and at the edge (newsroom/edge.py), once, when its
transaction commits. The keys:

``story-<id>``        the story: its own page, and every list, card or "related" link showing it
``section-<id>``      the pages *listing* a section's stories (its page, its feeds); likewise
``tag-<id>``, ``author-<id>``
``tag-name-<id>``     pages printing a tag's or an author's name (a story page's tag list and
``author-name-<id>``  byline): renaming one is not a change to its list
``versions-<id>``     the pages of a story's versions (translations, issue 17), by the id of
                      their original: a version going live or leaving, even by the clock,
                      changes the links and hreflang alternates of all of them
``picture-<id>``      pages showing a library picture as a card's or story's lead (a body names
                      its pictures by file: a picture's change purges those stories' keys)
``front``             the front page; ``archive`` the date archives; ``feeds`` every feed;
``sitemaps``          every sitemap (search results are never shared: page_cache.py)
``missing``           pages that answered "not found": any story going live may fill one
``nav``               the section navigation, on every HTML page (a section's name, or its
                      first live story, changes every page)
``site``              every public response (a fixture load or raw SQL: everything)

Lists carry the keys of the stories they show, not of the stories they might show: a story
joining a list (published, moved to a section, tagged) purges the list's own key. So a
correction to one story purges its page and the lists showing it, and leaves every other
story's page cached, even one in the same section or with the same tags. The one exception
is deliberate: a story's page also lists related stories by shared tags, and a new story
that would now rank among them shows there only when that page is next made (at most
PUBLIC_CACHE_SECONDS / EDGE_CACHE_SECONDS later); a related story withdrawn or edited
purges it at once, by its own key.
"""

from django.db.models import Q

from . import languages
from .models import Article, Author, Correction, OldSlug, Section, TaggedArticle

EVERY_PAGE = ("site", "nav")
# A story going live, leaving or moving changes these lists, whichever stories they show.
STORY_LISTS = ("front", "archive", "feeds", "sitemaps", "missing")


def story_keys(stories):
    """The keys of stories shown on a page, with their pictures (cards show the lead)."""
    keys = set()
    for story in stories:
        keys.add(f"story-{story.pk}")
        if story.lead_image_id:
            keys.add(f"picture-{story.lead_image_id}")
    return keys


def story_page_keys(article, related=(), versions=()):
    # Its body's pictures are named by the stories that show them (touched_by()).
    keys = story_keys([article, *related])
    # The versions it links to by their addresses: one renamed or withdrawn changes it.
    keys.update(f"story-{version.pk}" for version in versions)
    keys.add(f"versions-{article.original_id}")
    keys.update(f"tag-name-{tag.pk}" for tag in article.tags.all())
    keys.update(f"author-name-{author.pk}" for author in article.authors.all())
    return keys


def attach(response, keys):
    """Name what a response shows; the page cache middleware turns it into headers."""
    response.surrogate_keys = {*getattr(response, "surrogate_keys", ()), *keys}
    return response


def showing(*keys):
    """A view decorator for responses whose keys do not depend on what they show."""

    def decorate(view):
        def keyed_view(request, *args, **kwargs):
            return attach(view(request, *args, **kwargs), keys)

        keyed_view.__name__ = view.__name__
        keyed_view.__doc__ = view.__doc__
        return keyed_view

    return decorate


def touched_by(instance):
    """The keys a saved or deleted row touches, once readers could see it (public_changes)."""
    if isinstance(instance, Article):
        return story_change_keys(instance)
    if isinstance(instance, Correction | OldSlug):
        return story_change_keys(instance.article)
    if isinstance(instance, TaggedArticle):
        return story_change_keys(instance.content_object) | {f"tag-{instance.tag_id}"}
    if isinstance(instance, Section):
        # Its name is in the navigation of every page.
        return {f"section-{instance.pk}", "nav"}
    # A name is printed in feeds too; a new slug is a new address (sitemaps, a cached 404).
    names = {"feeds", "sitemaps", "missing"}
    if isinstance(instance, Author):
        return {f"author-{instance.pk}", f"author-name-{instance.pk}"} | names
    label = instance._meta.label_lower
    if label == "taggit.tag":
        return {f"tag-{instance.pk}", f"tag-name-{instance.pk}"} | names
    if label == "photos.image":
        # Cards and lead pictures carry its key; a body names it by file, so its stories.
        from .body_pictures import stories_showing

        showing = stories_showing([instance], Article.objects.with_public_address())
        keys = {f"picture-{instance.pk}", "feeds", "sitemaps"}  # they carry its caption too
        return keys | story_keys(showing.get(instance.pk, ()))
    if label == "curation.pin":
        pages = {instance.page_id, getattr(instance, "_page_before", instance.page_id)}
        return {"front" if page is None else f"section-{page}" for page in pages} | {
            f"story-{instance.article_id}"
        }
    return {"site"}  # a kind of row this module does not know: everything


def story_change_keys(article):
    """A story changed, went live, left or moved: its own key and every list it is or was on.

    Reads the story's links as they are now (one query each) and as they were before the
    save (remembered by public_changes' pre_save receiver).
    """
    keys = {f"story-{article.pk}", *STORY_LISTS}
    if article.pk:
        # Its versions link to it (or will, once it is live): it may be a new one.
        keys.add(f"versions-{article.original_id}")
    sections = {article.section_id, getattr(article, "_section_before", article.section_id)}
    keys.update(f"section-{section}" for section in sections if section)
    if article.pk:
        keys.update(f"tag-{tag}" for tag in article.tags.values_list("pk", flat=True))
        keys.update(f"author-{author}" for author in article.authors.values_list("pk", flat=True))
        # Pinned to another section's front: that page shows it too, as a slot.
        for page in article.pins.values_list("page_id", flat=True):
            keys.add("front" if page is None else f"section-{page}")
    if _section_navigation_may_change(article, sections):
        keys.add("nav")
    return keys


def _section_navigation_may_change(article, sections):
    # The navigation lists sections with a live story: this story may be the first to go
    # live in one, or the last to leave it. Otherwise the whole site stays cached.
    # A story deleted or loaded without a pre_save: not known, so asked.
    was_live = getattr(article, "_was_live", None)
    is_live = article.publication_state() == Article.State.LIVE
    if len(sections) == 1 and was_live == is_live:
        return False
    others = Article.objects.live().filter(section__in=sections).exclude(pk=article.pk)
    present = set(others.values_list("section_id", flat=True).distinct())
    return not set(sections) <= present


def links_touched(model, pk_set, article=None):
    """Keys of a tag or author link change (m2m_changed) from either side."""
    prefix = {"Tag": "tag", "Author": "author"}.get(model.__name__)
    keys = set()
    if article is not None:
        keys |= story_change_keys(article)
        if prefix:
            keys.update(f"{prefix}-{pk}" for pk in pk_set or ())
        return keys
    # From the other side (author.articles.add(...)): model is Article, pk_set its stories.
    for story in model.objects.filter(pk__in=pk_set or ()).with_public_address():
        keys |= story_change_keys(story)
    return keys


# The addresses of what the list keys name, for an edge that purges by path (CloudFront).
LIST_PATHS = {
    "front": ["/", "/?*"],
    "feeds": ["/feed/*"],
    "sitemaps": ["/sitemap*", "/news-sitemap.xml", "/robots.txt"],
    "search": ["/search/*"],
}
NAMED_LISTS = {
    "section": (Section, "sections"),
    "tag": (None, "tags"),
    "author": (Author, "authors"),
}


def paths_for(keys):
    """Paths covering the pages `keys` name, for an edge with no tags. Coarser than keys:
    a story's lists are purged by their addresses; "nav", "site", a picture or a name by
    every address; "missing" answers and date archives leave at their s-maxage."""
    from taggit.models import Tag

    # A picture or a name is printed on story pages found only by key: every address.
    by_key_only = ("picture-", "tag-name-", "author-name-")
    if {"site", "nav"} & set(keys) or any(key.startswith(by_key_only) for key in keys):
        return ["/*"]
    paths = [path for key in keys for path in LIST_PATHS.get(key, ())]
    # The other languages' fronts (/ckb/) and feeds share the "front" and "feeds" keys.
    for code in languages.front_languages():
        if "front" in keys:
            paths += [f"/{code}/", f"/{code}/?*"]
        if "feeds" in keys:
            paths.append(f"/{code}/feed/*")
    ids = {}
    for key in keys:
        kind, _, pk = key.rpartition("-")
        if pk.isdigit() and kind in {"story", "versions", *NAMED_LISTS}:
            ids.setdefault(kind, set()).add(int(pk))
    groups = ids.get("versions", ())
    stories = Article.objects.filter(
        Q(pk__in=ids.get("story", ())) | Q(pk__in=groups) | Q(translation_of__in=groups)
    )
    for story in stories.only("slug"):
        paths.append(story.get_absolute_url())
    for kind, (model, prefix) in NAMED_LISTS.items():
        for slug in (
            (model or Tag).objects.filter(pk__in=ids.get(kind, ())).values_list("slug", flat=True)
        ):
            paths.append(f"/{prefix}/{slug}/*")
    return paths
