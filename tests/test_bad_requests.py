"""Malformed addresses and queries get the site's 400/404 page, never a server error."""

import pytest

BAD_REQUESTS = [
    "/2021/13/45/",
    "/2021/02/30/",
    "/0/",
    "/99999999999999999999/",
    "/2021/99999999999999999999/",
    "/?page=99999999999999999999999",
    "/?page=-1",
    "/?page=abc",
    "/?page=1.5",
    "/?page=%00",
    "/tags/syria/?page=9999",
    "/search/?q=" + "x" * 10000,
    "/search/?q=%00%ff",
    "/search/?q=%E2%80%AE",
    "/search/?q=NEAR(a%20b)%20OR%20*",
    "/search/?q=a&q=b&page=x",
    "/search/?page=2",
    "/articles/../../etc/passwd",
    "/articles/no-such-story/",
    "/articles/%F0%9F%92%A9/",
    "/sections/no-such-section/",
    "/sections/no-such-section/feed/",
    "/tags/no-such-tag/feed/atom/",
    "/authors/nobody/",
    "/sitemap-nothing.xml",
    "/sitemap-articles.xml?p=abc",
    "/sitemap-articles.xml?p=999",
    "/feed/?%ZZ=1",
    "/?%ZZ",
]


NO_SUCH_PAGE = [
    "/2021/13/45/",
    "/2021/02/30/",
    "/2024/0/",
    "/2024/0/0/",
    "/2024/07/0/",
    "/9999/12/",
    "/9999/12/31/",
    "/9999/",
    "/99999999999999999999/",
    "/?page=99999999999999999999999",
    "/?page=abc",
    "/articles/no-such-story/",
    "/sections/no-such-section/",
    "/tags/no-such-tag/feed/atom/",
]


@pytest.mark.parametrize("url", NO_SUCH_PAGE)
def test_what_does_not_exist_answers_404_with_the_sites_page(client, seed, url):
    response = client.get(url)
    assert response.status_code == 404, url
    if response["Content-Type"].startswith("text/html"):
        assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("url", BAD_REQUESTS)
def test_bad_requests_answer_400_or_404_with_the_sites_page(client, seed, url):
    response = client.get(url)
    assert response.status_code in {200, 400, 404}, url
    if response.status_code == 404 and response["Content-Type"].startswith("text/html"):
        assert "Page not found" in response.content.decode()


def test_the_500_page_uses_the_sites_template(client, seed, monkeypatch):
    from articles import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "search_articles", broken)
    client.raise_request_exception = False
    response = client.get("/search/", {"q": "x"})
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_a_non_numeric_preview_id_is_not_a_server_error(admin_client, seed):
    response = admin_client.get("/admin/articles/article/abc/preview/")
    assert response.status_code in {302, 404}
