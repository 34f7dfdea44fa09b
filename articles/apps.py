from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    # The admin's breadcrumbs and menu: "Home › Newsroom › Articles", not "Articles › Articles".
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import public_changes, signals  # noqa: F401
