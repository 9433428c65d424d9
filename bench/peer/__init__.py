"""Chapters vs PostGraphile 5 on the same database, schema and data (`make bench-peer`)."""
