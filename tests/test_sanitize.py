import pytest

from articles.models import Article
from articles.sanitize import clean_body


@pytest.mark.parametrize(
    "hostile, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<p style="position:fixed">x</p>', "style="),
    ],
)
def test_clean_body_strips_what_could_run(hostile, forbidden):
    assert forbidden not in clean_body(hostile)


def test_clean_body_closes_unclosed_tags():
    assert clean_body("<p>unclosed <em>tags") == "<p>unclosed <em>tags</em></p>"


def test_clean_body_keeps_story_markup_and_quotes():
    html = (
        '<p>He said "no" and “yes”.</p><blockquote><p>Quote</p></blockquote>'
        '<ul><li><em>one</em></li></ul><p><a href="https://example.org/">link</a></p>'
    )
    cleaned = clean_body(html)
    assert '<p>He said "no" and “yes”.</p>' in cleaned
    assert "<blockquote><p>Quote</p></blockquote>" in cleaned
    assert "<li><em>one</em></li>" in cleaned
    assert 'href="https://example.org/"' in cleaned


def test_a_body_written_around_save_is_still_cleaned_on_the_page(client, make_article):
    article = make_article()
    # QuerySet.update() (like loaddata) never calls save(): the page must clean it anyway.
    Article.objects.filter(pk=article.pk).update(
        body='<p>Safe text</p><script>alert("x")</script><a href="javascript:alert(1)">y</a>'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Safe text" in html
    assert "<script>alert" not in html
    assert "javascript:" not in html
