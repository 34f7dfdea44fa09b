# The edge cache in front of the app: Varnish 7 with xkey (Debian: varnish, varnish-modules).
#
# A template: deploy/varnish/run.py fills in @APP_HOST@, @APP_PORT@ and @PURGERS@ (the app's
# addresses) and starts varnishd with it. The purge token is never in this file: varnishd
# reads EDGE_PURGE_TOKEN from its environment, the same variable the app sends it from.
#
# What it stores is only what the app marks for shared caches (s-maxage or public), for
# readers without a session: staff, previews and anyone logged in always reach the app.
vcl 4.1;

import std;
import xkey;

backend app {
    .host = "@APP_HOST@";
    .port = "@APP_PORT@";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Where purges may come from: the application servers, nobody else.
acl purgers {
@PURGERS@
}

sub vcl_recv {
    if (req.method == "PURGE") {
        # Purge by surrogate key: `PURGE /` with `xkey-purge: story-12 front` and the token in
        # `X-Edge-Token`, from the app's address only. A hard purge: no reader gets the old
        # page again, not even in grace. An unset token refuses every purge ("" is no token).
        if (client.ip !~ purgers
            || std.getenv("EDGE_PURGE_TOKEN") == ""
            || req.http.X-Edge-Token != std.getenv("EDGE_PURGE_TOKEN")) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin (and its previews), staff-only picture originals and health probes are
    # never shared; the app says so too, this makes it certain.
    if (req.url ~ "^/admin(/|\?|$)" || req.url ~ "^/media/(?!renditions/)" || req.url ~ "^/healthz") {
        return (pass);
    }
    # Whoever holds a session or a CSRF token (staff, an editor mid-form, a logged-in reader)
    # or sends credentials sees the site as the app renders it for them.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;)\s*(sessionid|csrftoken)=") {
        return (pass);
    }
    # Any other cookie (analytics, consent banners) changes nothing the app renders.
    unset req.http.Cookie;

    # The content API reads every parameter it is given (filters, cursors): all of them make
    # its entry, sorted, so the same query in another order shares it. Its answers vary by
    # Accept between ninjs and JSON only: two variants, not one per client's Accept header.
    if (req.url ~ "^/api/") {
        set req.url = std.querysort(req.url);
        if (req.http.Accept ~ "(?i)(^|,)\s*application/ninjs\+json\s*(;|,|$)") {
            set req.http.Accept = "application/ninjs+json";
        } else {
            unset req.http.Accept;
        }
        return (hash);
    }

    # Only the parameters public pages read make an entry of their own: page numbers, and
    # the words of a search. ?utm_source=..., ?fbclid=..., ?x=1 (or ?q= on any other page)
    # are dropped before the app and the cache see them, so they share the page's entry.
    if (req.url ~ "^/search/\?") {
        set req.url = regsuball(req.url, "([?&])(?!(?:page|q)=)[^&]*", "\1");
    } elsif (req.url ~ "\?") {
        set req.url = regsuball(req.url, "([?&])(?!page=)[^&]*", "\1");
    }
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url, "&{2,}", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    return (hash);
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        if (resp.status == 200) {
            # How many objects went: the app logs it, an operator reads it with curl.
            set resp.http.X-Purged = req.http.X-Purged;
            set resp.body = "Purged " + req.http.X-Purged + {"
"};
        } else {
            set resp.body = resp.reason + {"
"};
        }
        return (deliver);
    }
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Stored only when the app says a shared cache may (s-maxage, or public for static files
    # and renditions), and never what is personal: no cookie set, nothing private. A page
    # that says neither (max-age=0 alone) is fetched each time, not kept for a default TTL.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Cache-Control !~ "(?i)(s-maxage|public)"
        || beresp.http.Vary == "*"
        || beresp.ttl <= 0s) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # beresp.ttl already honours s-maxage before max-age. The app's Surrogate-Control says
    # less when the clock will change the page sooner (a story scheduled on it): it wins, and
    # never reaches readers, so a header cannot tell a story is due. No grace: past its TTL a
    # page is fetched again, so the app's lifetime is the longest an unpurged page lives.
    if (beresp.http.Surrogate-Control ~ "(?i)max-age=\d+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "(?i)^.*max-age=(\d+).*$", "\1s"), 0s);
        unset beresp.http.Surrogate-Control;
        if (beresp.ttl <= 0s) {
            set beresp.uncacheable = true;
            set beresp.ttl = 120s;
            return (deliver);
        }
    }
    set beresp.grace = 0s;
    # The surrogate keys become xkey's index; readers never see either header.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
    }
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Edge = "pass";
    } elsif (obj.hits > 0) {
        set resp.http.X-Edge = "hit";
    } else {
        set resp.http.X-Edge = "miss";
    }
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
    unset resp.http.Surrogate-Control;
    # s-maxage is for this cache, which is purged; a shared cache further on (an office
    # proxy) is not, so it must not keep the page either.
    if (resp.http.Cache-Control ~ "s-maxage") {
        set resp.http.Cache-Control = regsuball(resp.http.Cache-Control, "(?i),?\s*s-maxage=\d+", "");
        set resp.http.Cache-Control = regsub(resp.http.Cache-Control, "^\s*,\s*", "");
    }
}
