"""Compiled reads: a GraphQL query answered by ONE SQL statement that builds its ``data`` as
JSON in PostgreSQL, skipping per-field execution.

``plan`` decides once per document and operation name whether every selected field is
covered (``fields``: the covered object types and root fields); ``build`` binds the plan to a
request (caller, tenant, variables) with the domains' own visibility predicates and the one
policy table; ``run`` sends the statement in the request's transaction, ``run_alone`` as a
statement of its own that binds the tenant. Whatever the compiler
does not fully cover, for the document or for this caller, falls back to the resolver path for
the whole operation (``answer`` returns None). ``api.compiled_reads`` is the hook.
"""

from chapters.compiled.build import Fallback
from chapters.compiled.run import Stale, answer, forget, plan_for, prepare, run, run_alone

__all__ = ["Fallback", "Stale", "answer", "forget", "plan_for", "prepare", "run", "run_alone"]
