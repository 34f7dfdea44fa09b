"""What the API answers, as typed schemas: they validate every answer and write the OpenAPI
document (/api/v1/openapi.json)."""

import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema


class ParameterError(Schema):
    name: str = Field(description="The parameter at fault.")
    in_: str = Field(alias="in", description="Where it was: query, path or header.")
    message: str


class ProblemOut(Schema):
    """An error, as RFC 9457 problem details (served as application/problem+json)."""

    type: str = Field("about:blank", description="Always about:blank: the title says it.")
    title: str
    status: int
    detail: str = Field(description="What was wrong, for a person to read.")
    errors: list[ParameterError] | None = Field(
        None, description="For 400 answers: each bad parameter with its message."
    )
    guid: UUID | None = Field(None, description="For 410 answers: the withdrawn story's guid.")


PROBLEM_RESPONSES = {
    400: ProblemOut,
    401: ProblemOut,
    404: ProblemOut,
    429: ProblemOut,
}


class NameOut(Schema):
    name: str
    slug: str
    url: str = Field(description="Its page on the site (absolute).")
    articles_url: str = Field(description="The API list of its live stories (absolute).")


class ListOfNames(Schema):
    items: list[NameOut]
    next: str | None = Field(description="The next page (absolute URL), or null on the last.")


class SourceOut(Schema):
    name: str = Field(description="Where a syndicated story first ran.")
    url: str | None = Field(description="The original, when it is a web address.")


class StoryDates(Schema):
    original_published_at: datetime.datetime | None = Field(
        description="When the story was first published: at its source, for syndicated copy."
    )
    display_date: datetime.datetime | None = Field(
        description="The date an editor chose to show readers, if any."
    )
    date_shown: datetime.datetime | None = Field(
        description="The date readers see: display_date, else original_published_at. Lists "
        "are ordered by it, and published_after/published_before filter on it."
    )
    published_at: datetime.datetime | None = Field(
        description="When the story went live on this site."
    )


class StorySummaryOut(StoryDates):
    guid: UUID = Field(description="Permanent id, never changed (the feeds' guid).")
    headline: str
    slug: str
    language: str = Field(
        description='The language it is written in, a BCP 47 code from the site\'s list ("en", '
        '"ckb", "ar", ...): the list\'s `language` filter takes the same codes.'
    )
    url: str = Field(description="The story's page (absolute).")
    api_url: str = Field(description="This story in the API (absolute).")
    standfirst: str = Field(description="The summary under the headline, plain text.")
    section: NameOut


class StoryListOut(Schema):
    items: list[StorySummaryOut]
    next: str | None = Field(description="The next page (absolute URL), or null on the last.")


class RenditionOut(Schema):
    url: str = Field(description="Absolute URL of the file.")
    shape: str = Field(description='"full" (uncropped), "16:9", "4:3" or "1:1".')
    width: int
    height: int
    content_type: str


class PictureOut(Schema):
    alt_text: str = Field(description="Empty for a decorative picture.")
    caption: str
    credit: str
    copyright_notice: str
    width: int
    height: int
    renditions: list[RenditionOut]


class CorrectionOut(Schema):
    kind: str = Field(description='"correction" or "clarification".')
    text: str
    published_at: datetime.datetime


class VersionOut(Schema):
    """The same story in another language (issue 17): a translation, or the original."""

    language: str = Field(description="Its BCP 47 code.")
    language_name: str = Field(
        description='The language\'s name in that language ("کوردی", "English"), to label a link.'
    )
    slug: str
    status: Literal["live", "draft", "review", "scheduled", "expired", "withdrawn"] = Field(
        description="Always live for anonymous clients, who are told of live versions only."
    )
    url: str = Field(description="Its page (absolute).")
    api_url: str = Field(description="It in the API (absolute).")


class StoryOut(StorySummaryOut):
    status: Literal["live", "draft", "review", "scheduled", "expired", "withdrawn"] = Field(
        description="Where the story stands now: always live for anonymous clients; a staff "
        "token previewing a draft, scheduled, expired or withdrawn story sees which."
    )
    translations: list[VersionOut] = Field(
        description="Its other versions, in the order of the site's languages (the original "
        "among them when this is a translation): the live ones for anonymous clients; for a "
        "staff token, every one, with its status."
    )
    translation_of: VersionOut | None = Field(
        description="The original, when this story is a translation of one the client may "
        "read; else null."
    )
    body: str = Field(
        description="The story's HTML, cleaned (paragraphs, headings, links, lists, quotes); "
        'each picture is an empty <figure data-picture="N"> naming pictures[N]. With '
        "?body=text: plain text, paragraphs separated by blank lines, no pictures."
    )
    body_format: Literal["html", "text"]
    byline: str = Field(description='The credit readers see, such as "Gulan Media".')
    authors: list[NameOut]
    tags: list[NameOut]
    source: SourceOut | None = Field(description="For syndicated copy: where it first ran.")
    last_public_change: datetime.datetime | None = Field(
        description="The latest change readers were told of: a public update or a "
        "correction (the page's 'Updated' line); null if none."
    )
    corrections: list[CorrectionOut] = Field(description="Published corrections, oldest first.")
    lead_picture: PictureOut | None
    pictures: list[PictureOut] = Field(description="The body's pictures, in order.")
