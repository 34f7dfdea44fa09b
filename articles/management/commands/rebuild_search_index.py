from django.core.management import BaseCommand

from articles.models import Article
from articles.search import rebuild_index


class Command(BaseCommand):
    help = (
        "Index every article for search again. Database triggers keep the index current; "
        "this mends it after tables were copied around the triggers."
    )

    def handle(self, *args, **options):
        rebuild_index()
        self.stdout.write(f"Indexed {Article.objects.count()} article(s) for search.")
