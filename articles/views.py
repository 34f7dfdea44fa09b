from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView
from taggit.models import Tag

from .models import Article, Author, Section


def article_detail(request, slug):
    try:
        article = Article.objects.live().for_listing().get(slug=slug)
    except Article.DoesNotExist:
        if Article.objects.withdrawn().filter(slug=slug).exists():
            return render(request, "410.html", status=410)
        raise Http404("No live article at this address.") from None
    return render(request, "articles/article_detail.html", {"article": article})


class ArticleListView(ListView):
    """Live articles, newest first by the date readers see, 20 a page."""

    paginate_by = 20
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    heading = ""

    def get_queryset(self):
        return Article.objects.live().newest_first().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, **kwargs)


class FrontPageView(ArticleListView):
    template_name = "articles/front.html"


class SectionView(ArticleListView):
    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        self.heading = self.section.name
        return super().get_queryset().filter(section=self.section)


class TagView(ArticleListView):
    # A tag used only on unpublished stories must not show that it exists.
    allow_empty = False

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        self.heading = self.tag.name
        return super().get_queryset().filter(tags=self.tag)


class AuthorView(ArticleListView):
    allow_empty = False

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        self.heading = self.author.name
        return super().get_queryset().filter(authors=self.author)
