from __future__ import annotations

import strawberry


@strawberry.type
class CommitteeQuery:
    pass


@strawberry.type
class CommitteeMutation:
    pass
