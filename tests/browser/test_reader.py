import re

from playwright.sync_api import expect


def csp_violations(page):
    return [e for e in page.console_errors if "Content Security Policy" in e]


def test_a_reader_finds_the_seed_story_from_the_front_page_tags_and_search(
    new_page, screenshot, seed
):
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name=seed.headline).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(seed.headline)
    expect(page.locator("time.display-date")).to_have_text("23 July 2024, 12:00 BST")
    expect(page.locator("p.attribution")).to_contain_text(
        "Originally published by Gulan Media on 14 September 2021"
    )
    screenshot(page, "reader-article")

    page.locator("a[rel=tag]").get_by_text("Syria", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tags/syria/$"))
    expect(page.get_by_role("link", name=seed.headline)).to_be_visible()

    page.get_by_role("searchbox", name="Search stories").fill("Kremlin")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=seed.headline)).to_be_visible()
    screenshot(page, "reader-search")
    assert csp_violations(page) == []


def test_public_pages_run_under_the_content_security_policy_without_violations(new_page, seed):
    page = new_page()
    for url in ("/", seed.get_absolute_url(), "/tags/syria/", "/search/?q=assad", "/nope/"):
        page.goto(url)
    assert csp_violations(page) == []
