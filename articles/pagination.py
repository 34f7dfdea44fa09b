"""Pages of a list without counting it: "Newer" and "Older" links, no "page 3 of 4,812".

Django's Paginator asks the database for COUNT(*) of the whole list on every page, so a
reader's page of 20 stories read every live story's index entry (README, Benchmarks: Scale).
Here a page asks for one row more than it shows: the extra row says whether an older page
exists, and the list is never counted. ``?page=N`` stays the only thing a list page reads,
so the page cache's key (articles/page_cache.py) is unchanged.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger

# Past this the offset would overflow the database's 64-bit integer; no archive gets there.
MAX_PAGE = 10**12


class CountFreePage(Page):
    def __init__(self, object_list, number, paginator, *, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def start_index(self):
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self):
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CountFreePaginator:
    """ListView's paginator_class: page() and validate_number() as Django's, without count,
    num_pages or page_range (nothing here knows them)."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        self.object_list = object_list
        self.per_page = int(per_page)
        self.allow_empty_first_page = allow_empty_first_page

    def validate_number(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer.") from None
        if not 1 <= number <= MAX_PAGE:
            raise EmptyPage("That page number is out of range.")
        return number

    def page(self, number):
        """Page `number`: one query of per_page + 1 rows (the extra one is not shown)."""
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage("That page contains no results.")
        return CountFreePage(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )
