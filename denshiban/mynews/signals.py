"""Keeps the feed entries in step with publishing (filled in by the Myニュース work)."""
