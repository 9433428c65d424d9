"""Background jobs: procrastinate's queue on the service's own PostgreSQL.

``queue`` enqueues a job in the transaction of the change that causes it (a rollback enqueues
nothing) and registers tenant tasks; ``worker`` runs them (``chapters worker``), tenant-bound
like requests, and hands stalled jobs of dead workers back to the queue.
"""
