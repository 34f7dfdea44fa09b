"""The content API's browsable docs: Swagger UI from our own static files, under our CSP."""

from playwright.sync_api import expect


def test_the_api_docs_list_every_endpoint_and_try_one_without_a_cdn(new_page, screenshot, seed):
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Newsroom content API")
    for path in ("/api/v1/articles/", "/api/v1/articles/{slug}/", "/api/v1/changes/"):
        expect(page.locator(f".opblock-summary-path[data-path='{path}']")).to_be_visible()
    screenshot(page, "api-docs")

    # "Try it out" on one story: the docs call the API itself and show the seed story.
    page.locator(".opblock-summary-path[data-path='/api/v1/articles/{slug}/']").click()
    page.get_by_role("button", name="Try it out").click()
    page.locator("input[placeholder='slug']").fill(seed.slug)
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200"
    )
    expect(page.locator(".live-responses-table .microlight").first).to_contain_text("Gulan Media")
    screenshot(page, "api-docs-try")

    origin = page.url.split("/api/")[0]
    assert [url for url in requested if not url.startswith(origin)] == []
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
