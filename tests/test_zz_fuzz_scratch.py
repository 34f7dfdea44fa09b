import itertools
import pytest
from api.http import make_cursor

VALUES = ["", " ", "-1", "0", "99999999999999999999999", "1e309", "nan", "ü", "\u202e", "a"*5000,
          "2024-13-01", "2024-01-01T25:00", "2024-01-01", "2024-01-01T10:00", "0001-01-01T00:00:00+14:00",
          "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59", "0001-01-01T00:00:00", "2024-01-01T10:00:00+99:00",
          "P1D", "[]", "{}", "null", "true", "%", "\ud800".encode("utf-8","surrogatepass").decode("latin-1"),
          make_cursor("2024-01-01T00:00:00+00:00", 1), make_cursor(1, 2), make_cursor("x", -1), "AAAA", "====",
          make_cursor("2024-01-01T00:00:00+00:00", 2**70), make_cursor("2024-01-01T00:00:00", 2), make_cursor(None, None),
          make_cursor("2024-01-01T00:00:00+00:00", True)]
PARAMS = {
 "/api/v1/articles/": ["section","tag","author","updated_since","published_after","published_before","cursor","limit"],
 "/api/v1/search/?q=x": ["cursor","limit","q"],
 "/api/v1/changes/": ["since","limit"],
 "/api/v1/articles/s/": ["body"],
}

def test_fuzz(client, make_article, settings):
    settings.API_RATE_LIMIT = None
    make_article(slug="s")
    bad = []
    for path, names in PARAMS.items():
        for name in names:
            for v in VALUES:
                sep = "&" if "?" in path else "?"
                r = client.get(path, {name: v} if sep=="?" else None) if sep=="?" else client.get(path + "&" + __import__("urllib.parse").parse.urlencode({name: v}))
                if r.status_code >= 500 or not r["Content-Type"].startswith(("application/json","application/problem+json")):
                    bad.append((path, name, repr(v)[:60], r.status_code, r.content[:200]))
    for slug in ["%ff", "a"*3000, "ü", "..", "x.ninjs", "%00", "a%2Fb"]:
        for suffix in ["/", ".ninjs"]:
            r = client.get(f"/api/v1/articles/{slug}{suffix}")
            if r.status_code >= 500: bad.append((slug, suffix, r.status_code, r.content[:200]))
    print("\n".join(map(str, bad)))
    assert not bad
