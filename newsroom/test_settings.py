from .settings import *  # noqa: F403

# Hashing passwords slowly on purpose is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
