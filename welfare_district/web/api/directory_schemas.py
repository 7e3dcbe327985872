"""Response models of the public directory API: HSDS 3.0 pages around HSDS objects.

The objects themselves (service, organization, service_at_location, taxonomy, taxonomy_term) are published
as HSDS 3.0 defines them, plus this platform's ``eligibility_rules`` and generated ``eligibility_text_it`` /
``eligibility_text_en`` on services; they are passed through as JSON objects rather than re-declared here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from welfare_district.directory.search import MAX_PAGE_SIZE, Page

HSDS_ID = r"^[A-Za-z0-9_.:@-]{1,64}$"
PageQuery = Annotated[int, Query(description="Page number, from 1.", ge=1, le=100_000)]
PerPageQuery = Annotated[int, Query(description=f"Items per page (at most {MAX_PAGE_SIZE}).", ge=1,
                                    le=MAX_PAGE_SIZE)]
IdQuery = Annotated[str | None, Query(max_length=64, pattern=HSDS_ID)]


class HsdsPage(BaseModel):
    """One page of results, with the HSDS 3.0 paging fields."""

    total_items: int = Field(description="Items matching the request, over every page.")
    total_pages: int = Field(description="Pages at this page size (at least 1).")
    page_number: int = Field(description="This page, from 1.")
    size: int = Field(description="Items on this page.")
    first_page: bool
    last_page: bool
    empty: bool = Field(description="True when this page has no items.")
    contents: list[dict[str, Any]] = Field(description="HSDS objects of this page.")

    @classmethod
    def of(cls, page: Page) -> HsdsPage:
        """The API form of a search page."""
        return cls(total_items=page.total_items, total_pages=page.total_pages, page_number=page.page_number,
                   size=page.size, first_page=page.first_page, last_page=page.last_page, empty=page.empty,
                   contents=page.contents)
