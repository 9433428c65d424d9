"""Database plumbing, in these modules; import from the one you need (this package re-exports
nothing):

- ``chapters.db.session``: engines, the request's ``SerializedSession``, tenant sessions (which
  install the audit hook) and the ``get_row``/``flush_unique`` helpers;
- ``chapters.db.admin``: URLs and roles, bootstrap, the embedded server, dropping and scratch
  databases (``python -m chapters.db.admin scratch -- COMMAND``);
- ``chapters.db.migrations``: the Alembic configuration, migrating, head and current revisions;
- ``chapters.db.catalog``: the tenant tables as the catalog describes them, in foreign-key order.
"""
