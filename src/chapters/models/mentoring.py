from __future__ import annotations

import enum
import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class ProjectStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class ProjectRole(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class MentoringProgram(TenantScoped, Timestamped, Base):
    """A mentoring program such as a yearly student open-source program."""

    __tablename__ = "mentoring_programs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", "year"),
        CheckConstraint(
            "applications_close_on IS NULL OR applications_open_on IS NULL"
            " OR applications_close_on >= applications_open_on",
            name="applications_in_order",
        ),
        CheckConstraint(
            "coding_ends_on IS NULL OR coding_starts_on IS NULL OR coding_ends_on >= coding_starts_on",
            name="coding_in_order",
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    applications_open_on: Mapped[date | None] = mapped_column(Date)
    applications_close_on: Mapped[date | None] = mapped_column(Date)
    coding_starts_on: Mapped[date | None] = mapped_column(Date)
    coding_ends_on: Mapped[date | None] = mapped_column(Date)


class MentoringProject(TenantScoped, Timestamped, Base):
    __tablename__ = "mentoring_projects"
    __table_args__ = (
        tenant_fk("program_id", "mentoring_programs", ondelete="CASCADE"),
        tenant_fk("chapter_id", "chapters"),
        Index("ix_mentoring_projects_program", "tenant_id", "program_id"),
    )

    program_id: Mapped[uuid.UUID]
    chapter_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(200))
    repository_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[ProjectStatus] = mapped_column(str_enum(ProjectStatus, "status"))
    outcome: Mapped[str | None] = mapped_column(Text)


class MentoringProjectMember(TenantScoped, Timestamped, Base):
    """A mentor or mentee of a project."""

    __tablename__ = "mentoring_project_members"
    __table_args__ = (
        tenant_fk("project_id", "mentoring_projects", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        UniqueConstraint("tenant_id", "project_id", "person_id"),
    )

    project_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    role: Mapped[ProjectRole] = mapped_column(str_enum(ProjectRole, "role"))
