"""What every router of the read API shares: the error body, the declared error answers, and
limit/offset pagination with the total count in the body.

Access goes through each app's own choke points (`programme_for`, `cohort_or_404`, the
selectors), exactly as on the site's pages; `config/api.py` answers everything those refuse
with the same 404, so that "exists but not yours" and "does not exist" cannot be told apart.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
# Far beyond any list, and within every database's integers.
MAX_OFFSET = 1_000_000_000


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words.")


# The answers every read operation may give besides its 200.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class PageIn(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items, 1 to {MAX_LIMIT}."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The schema of a page of `item`: the total count, the page asked for and its items."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, Field(description="How many items there are in all.")),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


def paginate(
    items: QuerySet | Sequence, page: PageIn, serialise: Callable[[Any], dict]
) -> dict[str, Any]:
    """One page of `items` (a queryset, ordered, or a list already read), serialised.
    A queryset costs its count and the page's own query (and its prefetches), whatever the
    page's size."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    rows = items[page.offset : page.offset + page.limit]
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": [serialise(row) for row in rows],
    }
