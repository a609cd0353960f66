"""Records of the exchange and reporting processes: imports and published briefs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Code, utcnow


class ImportRecord(Base):
    """One applied (or rejected) workbook import."""

    __tablename__ = "import_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    scope: Mapped[str] = mapped_column(String(60))  # "all" or "partner:<ORG_KEY>"
    outcome: Mapped[Code]  # applied, rejected
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PublishedBrief(Base):
    """A frozen CDO brief: its figures and files as they were when it was published."""

    __tablename__ = "published_brief"
    id: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(60))  # "all" or "theme:<KEY>"
    as_of: Mapped[dt.date]
    since: Mapped[dt.date | None]
    title: Mapped[str] = mapped_column(String(300))
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary)
