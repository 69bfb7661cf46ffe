"""How every list of the site is cut into pages: one page size and one query parameter."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import QueryDict

# A page keeps a busy list light on a phone; a month rarely holds more than a few outings.
PAGE_SIZE = 50

# The page number's query parameter, as the shared pager (templates/includes/pager.html)
# writes it. The dashboard's activity list once wrote "trang": links bookmarked then still
# open the page they named.
PAGE_PARAM = "page"
OLD_PAGE_PARAM = "trang"


def requested_page(query: QueryDict) -> str | None:
    """The page number asked for, as typed (Paginator.get_page copes with a bad one)."""
    return query.get(PAGE_PARAM) or query.get(OLD_PAGE_PARAM)


def page_of(object_list, query: QueryDict) -> Page:
    """The page of `object_list` the query asks for: a bad page number gives the first page,
    one past the end the last."""
    return Paginator(object_list, PAGE_SIZE).get_page(requested_page(query))
