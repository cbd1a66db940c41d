"""The demo newspaper: content modules (`content_*.py`) and the engine that seeds them.

The format of a content module is described in engine.py's docstring; `manage.py seed_demo`
loads every content module in this package and creates or updates the site from them.
"""
