import re

from django.contrib.auth import get_user_model
from django.core.management import call_command


def test_ensure_staff_user_creates_a_superuser_with_a_random_password(db, capsys, client):
    call_command("ensure_staff_user")
    out = capsys.readouterr().out
    password = re.search(r"password: (\S+)", out).group(1)
    assert len(password) >= 12
    assert client.login(username="admin", password=password)
    assert client.get("/admin/").status_code == 200


def test_ensure_staff_user_leaves_an_existing_login_alone(db, capsys):
    call_command("ensure_staff_user")
    first = capsys.readouterr().out
    call_command("ensure_staff_user")
    second = capsys.readouterr().out
    assert get_user_model().objects.count() == 1
    assert "password:" in first and "password:" not in second
    assert "changepassword admin" in second


def test_two_fresh_sites_never_share_a_password(db, capsys, django_user_model):
    call_command("ensure_staff_user")
    first = re.search(r"password: (\S+)", capsys.readouterr().out).group(1)
    django_user_model.objects.all().delete()
    call_command("ensure_staff_user")
    second = re.search(r"password: (\S+)", capsys.readouterr().out).group(1)
    assert first != second
