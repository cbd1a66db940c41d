"""Matches published articles against registered keywords (filled in by the keyword work)."""
