"""A generated corpus for the differential test: random documents over the fields the compiled
path covers (random sub-selections, aliases, repeated keys, fragments, ``__typename``), with
random arguments (page sizes 0 to 100, filters, ids of the tenant, of another tenant, made-up
and malformed ones) and a few uncovered fields mixed in, which must fall back.

The fields are read from the compiler's own registry (``chapters.compiled.fields.SPECS``)
and the schema, so a field added to the registry is generated without touching this module.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, get_named_type, is_leaf_type

from chapters.api.ids import global_id
from chapters.api.schema import schema
from chapters.compiled.fields import SPECS
from tests.seeding import Seeded

STATUSES = ["DRAFT", "SUBMITTED", "CHANGES_REQUESTED", "ACCEPTED", "CANCELLED"]
KINDS = ["OFFLINE_MEETUP", "ONLINE_MEETUP", "TALK", "ARTICLE", "OTHER"]
CHAPTER_STATUSES = ["FORMING", "ACTIVE", "DORMANT", "ARCHIVED"]
ROLES = ["LEAD", "CO_LEAD", "MEMBER"]
MEMBERSHIP_STATUSES = ["INVITED", "ACTIVE", "LEFT"]
# Fields of covered types that the compiler does not cover (the request falls back).
UNCOVERED = {"Activity": "startsAtLocal", "Person": "email", "Committee": "seats"}
MAX_DEPTH = 4


@dataclass
class Request:
    query: str
    variables: dict[str, Any]


class Corpus:
    def __init__(self, seed: int, home: Seeded, abroad: Seeded) -> None:
        self.random = random.Random(seed)
        self.home, self.abroad = home, abroad
        self.schema = schema._schema

    # --- values ----------------------------------------------------------------------------

    def chapter_id(self) -> str:
        r = self.random
        return r.choice(
            [
                self.home.places["A"].chapter,
                self.home.places["B"].chapter,
                self.abroad.places["A"].chapter,
                global_id("Chapter", uuid.uuid4()),
                self.home.places["A"].accepted,  # an id of another type
                "bm90IGFuIGlk",
                "",
            ]
        )

    def node_id(self) -> str:
        places = [self.home.places["A"], self.home.places["B"], self.abroad.places["A"]]
        place = self.random.choice(places)
        return self.random.choice(
            [
                place.chapter,
                place.accepted,
                place.draft,
                place.submitted,
                place.past,
                place.member,
                place.spare,
                place.admin,
                place.membership,
                global_id("Person", uuid.uuid4()),
                global_id("Chapter", uuid.uuid4()),
                global_id("Activity", "nope"),  # type: ignore[arg-type]  # not a uuid
                "not base64!",
            ]
        )

    def page(self) -> dict[str, Any]:
        r = self.random
        size = r.choice([None, 0, 1, 2, 3, 5, 20, 50, 100, 101, -1])
        return {} if size is None else {"first": size}

    def pick(self, values: list[str]) -> list[str]:
        return self.random.sample(values, self.random.randint(0, min(3, len(values))))

    # --- documents -------------------------------------------------------------------------

    def request(self) -> Request:
        r = self.random
        roots = r.sample(["chapter", "chapters", "activities", "node", "queue"], r.randint(1, 3))
        parts, variables = [], {}
        for index, root in enumerate(roots):
            alias = f"r{index}: " if r.random() < 0.3 else ""
            if root == "chapter":
                variables[f"slug{index}"] = r.choice(
                    [
                        self.home.places["A"].slug,
                        self.home.places["B"].slug,
                        self.abroad.places["A"].slug,
                        "no-such-chapter",
                    ]
                )
                parts.append(f"{alias}chapter(slug: $slug{index}) {self.selection('Chapter', 1)}")
            elif root == "chapters":
                args = self.chapters_args()
                parts.append(f"{alias}chapters{args} {self.connection('ChapterConnection', 1)}")
            elif root == "activities":
                args = self.activities_args(variables, index)
                parts.append(f"{alias}activities{args} {self.connection('ActivityConnection', 1)}")
            elif root == "queue":
                page = self.page()
                args = f"(first: {page['first']})" if page else ""
                parts.append(
                    f"{alias}activityReviewQueue{args} {self.connection('ActivityConnection', 1)}"
                )
            else:
                variables[f"id{index}"] = self.node_id()
                parts.append(f"{alias}node(id: $id{index}) {self.node_selection()}")
        definitions = ", ".join(
            f"${name}: {'String!' if name.startswith('slug') else 'ID!'}" for name in variables
        )
        header = f"query Generated({definitions})" if variables else "query Generated"
        query = header + " { " + " ".join(parts) + " }"
        return Request(query, variables)

    def chapters_args(self) -> str:
        r = self.random
        filters = []
        if r.random() < 0.4:
            filters.append(f"status: [{', '.join(self.pick(CHAPTER_STATUSES))}]")
        if r.random() < 0.2:
            filters.append("text: " + r.choice(['"al"', '"orion"', '"%"', '""']))
        if r.random() < 0.2:
            filters.append(f"topLevelOnly: {r.choice(['true', 'false'])}")
        if r.random() < 0.2:
            filters.append(f'parentId: "{self.chapter_id()}"')
        args = [f"{k}: {v}" for k, v in self.page().items()]
        if filters:
            args.append("filter: {" + ", ".join(filters) + "}")
        return f"({', '.join(args)})" if args else ""

    def activities_args(self, variables: dict[str, Any], index: int) -> str:
        r = self.random
        filters = []
        if r.random() < 0.5:
            variables[f"chapter{index}"] = self.chapter_id()
            filters.append(f"chapterId: $chapter{index}")
        if r.random() < 0.3:
            filters.append(f"includeSubChapters: {r.choice(['true', 'false'])}")
        if r.random() < 0.4:
            filters.append(f"status: [{', '.join(self.pick(STATUSES))}]")
        if r.random() < 0.3:
            filters.append(f"kind: [{', '.join(self.pick(KINDS))}]")
        if r.random() < 0.2:
            filters.append('startsFrom: "2026-01-01T00:00:00+08:00"')
        if r.random() < 0.2:
            filters.append("text: " + r.choice(['"meetup"', '"partner"', '"x"']))
        if r.random() < 0.1:
            filters.append('startsOn: {from: "2026-01-01"}')
        if r.random() < 0.1:
            filters.append(f'organisationId: "{self.home.places["A"].partner_org}"')
        if r.random() < 0.1:
            filters.append(f'participantPersonId: "{self.home.places["A"].member}"')
        args = [f"{k}: {v}" for k, v in self.page().items()]
        if filters:
            args.append("filter: {" + ", ".join(filters) + "}")
        if r.random() < 0.3:
            args.append(f"orderBy: {r.choice(['STARTS_AT', 'UPDATED_AT'])}")
        if r.random() < 0.3:
            args.append(f"descending: {r.choice(['true', 'false'])}")
        return f"({', '.join(args)})" if args else ""

    def node_selection(self) -> str:
        r = self.random
        parts = []
        if r.random() < 0.7:
            parts.append("id")
        if r.random() < 0.3:
            parts.append("__typename")
        for type_name in r.sample(["Chapter", "Activity", "Person"], r.randint(1, 3)):
            parts.append(f"... on {type_name} {self.selection(type_name, 2)}")
        return "{ " + " ".join(parts) + " }"

    def connection(self, type_name: str, depth: int) -> str:
        r = self.random
        connection = self.schema.get_type(type_name)
        assert isinstance(connection, GraphQLObjectType)
        node_type = get_named_type(
            get_named_type(connection.fields["edges"].type).fields["node"].type  # type: ignore[union-attr]
        )
        edge_parts = [f"node {self.selection(node_type.name, depth + 1)}"]
        if r.random() < 0.2:
            edge_parts.append("cursor")
        if r.random() < 0.2:
            edge_parts.append("__typename")
        r.shuffle(edge_parts)
        parts = [f"edges {{ {' '.join(edge_parts)} }}"]
        if r.random() < 0.4:
            info = self.pick(["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"])
            parts.append(f"pageInfo {{ {' '.join(info or ['hasNextPage'])} }}")
        if r.random() < 0.1:
            parts.append("__typename")
        r.shuffle(parts)
        return "{ " + " ".join(parts) + " }"

    def selection(self, type_name: str, depth: int) -> str:
        r = self.random
        graphql_type = self.schema.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType)
        covered = [name for name in SPECS[type_name].fields if name in graphql_type.fields]
        chosen = r.sample(covered, r.randint(1, min(len(covered), 6)))
        if r.random() < 0.05 and type_name in UNCOVERED:
            chosen.append(UNCOVERED[type_name])
        parts = []
        for name in chosen:
            field = graphql_type.fields[name]
            target = get_named_type(field.type)
            alias = f"{name}A{r.randint(0, 9)}: " if r.random() < 0.15 else ""
            if is_leaf_type(target):
                parts.append(alias + name)
                if r.random() < 0.05:
                    parts.append(name)  # the same key twice: merged
                continue
            shown = target
            if target.name.endswith("Connection"):
                shown = get_named_type(
                    get_named_type(target.fields["edges"].type).fields["node"].type
                )
            if shown.name not in SPECS:
                parts.append(f"{alias}{name} {{ __typename }}")  # not covered: falls back
                continue
            if depth >= MAX_DEPTH:
                continue
            args = ""
            if name == "members":
                args = self.members_args()
            elif "first" in field.args:
                page = self.page()
                args = f"(first: {page['first']})" if page else ""
            if target.name.endswith("Connection"):
                parts.append(f"{alias}{name}{args} {self.connection(target.name, depth)}")
            else:
                parts.append(f"{alias}{name}{args} {self.selection(target.name, depth + 1)}")
        if r.random() < 0.15:
            parts.append("__typename")
        if not parts:
            parts.append("__typename")
        if r.random() < 0.1:
            return "{ ... on " + type_name + " { " + " ".join(parts) + " } }"
        return "{ " + " ".join(parts) + " }"

    def members_args(self) -> str:
        r = self.random
        args = [f"{k}: {v}" for k, v in self.page().items()]
        if r.random() < 0.3:
            args.append(f"role: [{', '.join(self.pick(ROLES))}]")
        if r.random() < 0.3:
            statuses = self.pick(MEMBERSHIP_STATUSES)
            args.append(f"status: [{', '.join(statuses)}]" if statuses else "status: null")
        return f"({', '.join(args)})" if args else ""
