"""TRANSITIONAL: the loaders moved to ``chapters.db.loaders``."""

from chapters.db.loaders import Loaders, SharedLoader, rows_by_id  # noqa: F401
