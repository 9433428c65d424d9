"""What every request pays for in Strawberry's machinery stays per operation, not per field."""

from __future__ import annotations

from strawberry.extensions import SchemaExtension

from chapters.api.schema import schema


def test_no_schema_extension_wraps_every_field_resolution() -> None:
    """Strawberry runs an extension's ``resolve`` hook around every field it resolves (a
    graphql-core middleware); the app's extensions do their work once per operation
    (``on_operation``, ``on_validate``, ``on_execute``, ``get_results``)."""
    extensions = schema.get_extensions()
    assert extensions
    per_field = [
        type(extension).__name__
        for extension in extensions
        if type(extension).resolve is not SchemaExtension.resolve
    ]
    assert per_field == []
