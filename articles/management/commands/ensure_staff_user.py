import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure a staff login exists for the admin. Creates a superuser with a fresh "
        "random password (printed once) when there is none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("NEWSROOM_ADMIN_USER", "admin"))
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username, url, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if existing:
            name = existing.get_username()
            self.stdout.write(
                f"Staff login: {url} as {name!r}. "
                f"Forgotten the password? Run: .venv/bin/python manage.py changepassword {name}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created a staff login for the admin.\n"
                f"  Log in at {url}\n  username: {username}\n  password: {password}\n"
                f"This password is shown only now; change it with "
                f".venv/bin/python manage.py changepassword {username}"
            )
        )
