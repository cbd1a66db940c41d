"""The reading policy's settings."""

import os

# Paid articles a free member may read each calendar month (Japan time).
FREE_MEMBER_MONTHLY_ALLOWANCE = int(os.environ.get("FREE_MEMBER_MONTHLY_ALLOWANCE", "1"))
