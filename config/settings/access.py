"""The reading policy's settings."""

import os

# Paid articles a free member may read each calendar month (Japan time).
FREE_MEMBER_MONTHLY_ALLOWANCE = int(os.environ.get("FREE_MEMBER_MONTHLY_ALLOWANCE", "1"))

# The shared cache of guests' reader pages (core.pagecache). Off only to measure or to
# count a page's queries.
GUEST_PAGE_CACHE = os.environ.get("GUEST_PAGE_CACHE", "1").strip().lower() in {"1", "true", "yes"}
