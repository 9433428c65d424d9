"""Schema extensions: limits, caches and what a request's errors mean for its transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from chapters.errors import DomainError
from chapters.settings import Settings

log = logging.getLogger("chapters.graphql")

MASKED_MESSAGE = "Unexpected error."


class RequestOutcome(SchemaExtension):
    """After an operation: roll the request back if anything failed, give domain errors a
    code, and mask unexpected exceptions (logged here with their traceback)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        if hasattr(context, "rollback_only"):
            context.rollback_only = True
        result.errors = [self._present(error) for error in result.errors]

    @staticmethod
    def _present(error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error
        if isinstance(original, DomainError):
            first = original.errors[0]
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                path=error.path,
                original_error=None,
                extensions={"code": first.code.value, "field": first.field},
            )
        log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError(
            MASKED_MESSAGE,
            nodes=error.nodes,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL"},
        )


def build_extensions(settings: Settings) -> list:
    # Rule classes built once: a new class per request would defeat the validation cache.
    rules = [
        max_depth_rule(settings.graphql_max_depth, None, None),
        max_aliases_rule(settings.graphql_max_aliases),
    ]
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        RequestOutcome,
    ]
