"""The words for where a story stands, apart from the models so querysets can use them too.

`Status` is what an editor sets and the database stores. `PublicationState` is what that
means at a given moment, once the clock is taken into account: a published story is
scheduled, live or expired. `Article.publication_state(now)` and the querysets' `live()`,
`scheduled()`, `expired()` and `withdrawn()` are the two readings of one rule (tested to agree).
"""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PublicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Published"  # what editors call a story readers can see
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"
