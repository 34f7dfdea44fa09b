"""Posting the article change form the way a browser would, from what the admin rendered."""

from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.utils import edit_string_for_tags


def logged_in(user):
    """A client of its own, logged in as `user` (several people in one test)."""
    client = Client()
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(response, **changes):
    """The POST a browser would send for the admin form in `response`, with `changes`.

    Datetimes are typed in the newsroom's zone as `name_0` (day) and `name_1` (time); pass
    `published_at=("29/03/2026", "02:30:00")` to type one.
    """
    form = response.context["adminform"].form
    if form.is_bound:  # a form sent back with errors: post again what it holds
        data = {key: values if len(values) > 1 else values[0] for key, values in form.data.lists()}
        return _apply(data, changes)
    data = {"corrections-TOTAL_FORMS": "0", "corrections-INITIAL_FORMS": "0"}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.SplitDateTimeField):
            local = timezone.localtime(value) if value else None
            data[f"{name}_0"] = local.strftime("%d/%m/%Y") if local else ""
            data[f"{name}_1"] = local.strftime("%H:%M:%S") if local else ""
        elif name == "tags":
            tags = value if isinstance(value, list) else []
            data[name] = edit_string_for_tags(tags) if tags else (value or "")
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [str(pk) for pk in value or []]
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return _apply(data, changes)


def _apply(data, changes):
    for name, value in changes.items():
        if isinstance(value, tuple):
            data[f"{name}_0"], data[f"{name}_1"] = value
        elif value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
