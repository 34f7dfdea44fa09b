"""The edge-cache adapters (newsroom/edge.py) against a fake HTTP endpoint on this machine.

Each CDN's API is a local server that records what it is sent and answers as told, so the
method, path, credentials, body and batching are asserted as the CDN would receive them;
CloudFront is moto's server. Only Varnish is tested live (tests/test_edge_varnish.py).
"""

import http.server
import json
import logging
import threading
import time
import uuid
from types import SimpleNamespace

import boto3
import pytest
from moto.server import ThreadedMotoServer

from newsroom import edge
from newsroom.edge import (
    CloudflareBackend,
    CloudFrontBackend,
    FastlyBackend,
    VarnishBackend,
    purge,
    response_headers,
)
from tests.test_settings import load_settings, run

TOKEN = "t" * 40


class Recorder(http.server.BaseHTTPRequestHandler):
    def handle_one(self):
        length = int(self.headers.get("Content-Length") or 0)
        server = self.server
        server.received.append(
            SimpleNamespace(
                method=self.command,
                path=self.path,
                headers=self.headers,
                body=self.rfile.read(length),
            )
        )
        time.sleep(server.delay)
        status, body = server.answer
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PURGE = handle_one

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    """A local HTTP server that records requests; set .answer = (status, body) and .delay."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.daemon_threads = True
    server.received, server.answer, server.delay = [], (200, b""), 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def keys(count):
    return [f"a{number}" for number in range(count)]


def test_varnish_purge_is_a_purge_request_with_the_keys_and_the_token(endpoint):
    VarnishBackend(url=endpoint.url, token=TOKEN).purge(["a12", "front", "s3"])

    [request] = endpoint.received
    assert (request.method, request.path) == ("PURGE", "/")
    assert request.headers["xkey-purge"] == "a12 front s3"
    assert request.headers["X-Edge-Token"] == TOKEN


def test_varnish_purge_of_many_keys_is_sent_in_batches_under_the_header_limit(endpoint):
    VarnishBackend(url=endpoint.url + "/", token=TOKEN).purge(keys(450))

    sent = [request.headers["xkey-purge"].split() for request in endpoint.received]
    assert [len(batch) for batch in sent] == [200, 200, 50]
    assert sum(sent, []) == keys(450)


def test_fastly_purge_posts_the_surrogate_keys_with_the_api_key_in_batches_of_256(endpoint):
    FastlyBackend(service_id="SVC123", token="fastly-secret", api=endpoint.url).purge(keys(600))

    assert [(r.method, r.path) for r in endpoint.received] == [
        ("POST", "/service/SVC123/purge")
    ] * 3
    assert {r.headers["Fastly-Key"] for r in endpoint.received} == {"fastly-secret"}
    sent = [r.headers["Surrogate-Key"].split() for r in endpoint.received]
    assert [len(batch) for batch in sent] == [256, 256, 88]
    assert sum(sent, []) == keys(600)


def test_cloudflare_purge_posts_the_tags_as_json_with_a_bearer_token_100_per_call(endpoint):
    endpoint.answer = (200, b'{"success": true, "errors": [], "result": {"id": "x"}}')
    CloudflareBackend(zone_id="ZONE9", token="cf-secret", api=endpoint.url).purge(keys(250))

    assert [(r.method, r.path) for r in endpoint.received] == [
        ("POST", "/zones/ZONE9/purge_cache")
    ] * 3
    assert {r.headers["Authorization"] for r in endpoint.received} == {"Bearer cf-secret"}
    assert {r.headers["Content-Type"] for r in endpoint.received} == {"application/json"}
    sent = [json.loads(r.body)["tags"] for r in endpoint.received]
    assert [len(batch) for batch in sent] == [100, 100, 50]
    assert sum(sent, []) == keys(250)


def test_cloudflare_answering_200_with_success_false_is_a_failure(endpoint):
    endpoint.answer = (200, b'{"success": false, "errors": [{"code": 1134, "message": "no"}]}')
    with pytest.raises(OSError, match="1134"):
        CloudflareBackend(zone_id="Z", token="t", api=endpoint.url).purge(["a1"])


@pytest.fixture(scope="module")
def cloudfront():
    keys = {"AWS_ACCESS_KEY_ID": "newsroom-test", "AWS_SECRET_ACCESS_KEY": "newsroom-test"}
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            patch.delenv(name, raising=False)
        for name, value in keys.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        client = boto3.client("cloudfront", endpoint_url=url, region_name="us-east-1")
        origin = {
            "Id": "app",
            "DomainName": "news.example.org",
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": "https-only",
            },
        }
        distribution = client.create_distribution(
            DistributionConfig={
                "CallerReference": uuid.uuid4().hex,
                "Comment": "newsroom test",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [origin]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "app",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                },
            }
        )["Distribution"]
        yield SimpleNamespace(url=url, client=client, id=distribution["Id"])
        server.stop()


def invalidated_paths(cloudfront):
    listing = cloudfront.client.list_invalidations(DistributionId=cloudfront.id)
    found = []
    for summary in listing["InvalidationList"].get("Items", []):
        batch = cloudfront.client.get_invalidation(DistributionId=cloudfront.id, Id=summary["Id"])
        found.append(sorted(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]))
    return found


def test_cloudfront_invalidates_the_paths_percent_encoded(cloudfront):
    before = invalidated_paths(cloudfront)
    backend = CloudFrontBackend(distribution_id=cloudfront.id, endpoint_url=cloudfront.url)
    backend.purge(["a12", "front"], ["/articles/café-reopens/", "/"])

    new = [batch for batch in invalidated_paths(cloudfront) if batch not in before]
    assert new == [["/", "/articles/caf%C3%A9-reopens/"]]


def test_cloudfront_with_keys_but_no_paths_asks_for_nothing(cloudfront):
    before = invalidated_paths(cloudfront)
    CloudFrontBackend(distribution_id=cloudfront.id, endpoint_url=cloudfront.url).purge(["a12"])
    assert invalidated_paths(cloudfront) == before


@pytest.fixture
def edges(settings, endpoint):
    """Two Varnish servers and Fastly, all the fake endpoint: purge() must reach each."""

    def configure(**timeout):
        settings.EDGE_PURGE_TIMEOUT = timeout.get("timeout", 2.0)
        varnish = {"url": endpoint.url, "token": TOKEN}
        settings.EDGE_CACHES = [
            {"BACKEND": "newsroom.edge.VarnishBackend", "OPTIONS": varnish},
            {
                "BACKEND": "newsroom.edge.FastlyBackend",
                "OPTIONS": {"service_id": "S", "token": "f", "api": endpoint.url},
            },
            {"BACKEND": "newsroom.edge.VarnishBackend", "OPTIONS": varnish},
        ]

    configure()
    endpoint.configure = configure
    return endpoint


def test_purge_sends_the_keys_once_to_every_configured_edge(edges, caplog):
    with caplog.at_level(logging.INFO, logger="newsroom.edge"):
        purge(["a1", "front", "a1"], paths=["/articles/one/"])

    assert [(r.method, r.path) for r in edges.received] == [
        ("PURGE", "/"),
        ("POST", "/service/S/purge"),
        ("PURGE", "/"),
    ]
    assert [r.headers.get("xkey-purge") or r.headers["Surrogate-Key"] for r in edges.received] == [
        "a1 front"
    ] * 3
    assert "Edge purge: Fastly service S, keys a1 front" in caplog.text


def test_an_edge_answering_500_is_logged_and_the_others_still_purged(edges, caplog):
    edges.answer = (500, b"backend exploded")
    purge(["a1"])  # does not raise

    assert len(edges.received) == 3
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 3
    assert all(r.exc_info for r in failures)
    assert "Edge purge failed: Varnish at" in failures[0].getMessage()
    assert "500 backend exploded" in caplog.text


def test_an_edge_that_does_not_answer_costs_the_timeout_and_is_logged(edges, caplog):
    edges.configure(timeout=0.3)
    edges.delay = 2
    started = time.monotonic()
    purge(["a1"])

    # Three edges at 0.3 s each, not the 2 s each would take to answer.
    assert time.monotonic() - started < 3 * 0.3 + 1.0
    assert caplog.text.count("Edge purge failed") == 3
    assert "timed out" in caplog.text


def test_an_edge_that_is_down_is_logged(settings, caplog):
    settings.EDGE_CACHES = [
        {
            "BACKEND": "newsroom.edge.VarnishBackend",
            "OPTIONS": {"url": "http://127.0.0.1:9", "token": TOKEN},
        }
    ]
    purge(["a1"])
    assert "Edge purge failed: Varnish at http://127.0.0.1:9, keys a1" in caplog.text


def test_keys_that_would_split_into_others_are_refused_not_sent(edges, caplog):
    purge(["a1", "front page"])
    assert edges.received == []
    assert "Edge purge not sent" in caplog.text
    with pytest.raises(ValueError, match="front page"):
        response_headers(["a1", "front page"], 300)


def test_nothing_to_purge_sends_nothing(edges):
    purge([])
    assert edges.received == []


def test_no_edge_configured_purges_nothing_and_says_nothing(settings, caplog):
    settings.EDGE_CACHES = []
    with caplog.at_level(logging.INFO, logger="newsroom.edge"):
        purge(["a1"])
    assert caplog.records == []


def test_response_headers_name_the_keys_and_lifetime_for_varnish_and_fastly(settings):
    settings.EDGE_CACHES = []
    assert response_headers(["a12", "front", "a12", "s3"], 89) == {
        "Surrogate-Key": "a12 front s3",
        "Surrogate-Control": "max-age=89",
    }
    assert response_headers([], 89) == {}


def test_response_headers_add_cloudflares_own_when_it_is_configured(settings):
    settings.EDGE_CACHES = [
        {"BACKEND": "newsroom.edge.CloudflareBackend", "OPTIONS": {"zone_id": "Z", "token": "t"}}
    ]
    assert response_headers(["a12", "front"], 89) == {
        "Surrogate-Key": "a12 front",
        "Surrogate-Control": "max-age=89",
        "Cache-Tag": "a12,front",
        "Cloudflare-CDN-Cache-Control": "max-age=89",
    }


def test_edge_caches_are_none_by_default():
    assert load_settings({"DEBUG": "1"}, "EDGE_CACHES", "EDGE_CACHE_SECONDS") == {
        "EDGE_CACHES": [],
        "EDGE_CACHE_SECONDS": 300,
    }


def test_edge_caches_come_from_the_environment():
    found = load_settings(
        {
            "DEBUG": "1",
            "EDGE_CACHE_SECONDS": "600",
            "VARNISH_PURGE_URL": "http://10.0.0.5:8080, http://10.0.0.6:8080",
            "EDGE_PURGE_TOKEN": TOKEN,
            "FASTLY_SERVICE_ID": "SVC",
            "FASTLY_API_TOKEN": "fastly-secret",
            "CLOUDFLARE_ZONE_ID": "ZONE",
            "CLOUDFLARE_API_TOKEN": "cf-secret",
            "CLOUDFRONT_DISTRIBUTION_ID": "E123",
        },
        "EDGE_CACHES",
        "EDGE_CACHE_SECONDS",
    )
    assert found["EDGE_CACHE_SECONDS"] == 600
    assert [(c["BACKEND"].rsplit(".", 1)[1], c["OPTIONS"]) for c in found["EDGE_CACHES"]] == [
        ("VarnishBackend", {"url": "http://10.0.0.5:8080", "token": TOKEN}),
        ("VarnishBackend", {"url": "http://10.0.0.6:8080", "token": TOKEN}),
        ("FastlyBackend", {"service_id": "SVC", "token": "fastly-secret"}),
        ("CloudflareBackend", {"zone_id": "ZONE", "token": "cf-secret"}),
        ("CloudFrontBackend", {"distribution_id": "E123"}),
    ]
    # Each names a class edge.py has.
    assert all(hasattr(edge, c["BACKEND"].rsplit(".", 1)[1]) for c in found["EDGE_CACHES"])


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"VARNISH_PURGE_URL": "http://127.0.0.1:8080"}, "set EDGE_PURGE_TOKEN"),
        ({"VARNISH_PURGE_URL": "http://127.0.0.1:8080", "EDGE_PURGE_TOKEN": "short"}, "32+"),
        ({"VARNISH_PURGE_URL": "127.0.0.1:8080", "EDGE_PURGE_TOKEN": TOKEN}, "not an http"),
        ({"FASTLY_SERVICE_ID": "SVC"}, "FASTLY_SERVICE_ID and FASTLY_API_TOKEN go together"),
        ({"CLOUDFLARE_API_TOKEN": "t"}, "CLOUDFLARE_ZONE_ID and CLOUDFLARE_API_TOKEN go together"),
    ],
    ids=["varnish-no-token", "varnish-short-token", "varnish-no-scheme", "fastly-half", "cf-half"],
)
def test_half_configured_edges_stop_the_start(environment, message):
    result = run(["-c", "import django; django.setup()"], {"DEBUG": "1", **environment})
    assert result.returncode != 0
    assert message in result.stderr
