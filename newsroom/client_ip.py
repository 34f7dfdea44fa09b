from django.conf import settings


def client_ip(request):
    """The address a login attempt came from, for django-axes' lockouts.

    Behind TRUSTED_PROXY_COUNT proxies, each appending the address it saw to
    X-Forwarded-For, the client is the entry the farthest of our proxies wrote: counted from
    the right, because anything further left was written by the client and proves nothing.
    Without a trusted proxy, X-Forwarded-For is ignored.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
