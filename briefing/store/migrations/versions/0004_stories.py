"""Stored stories: which story each article belongs to, assigned as articles arrive.

Revision ID: 0004_stories
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from briefing.store.tables import UTCDateTime

revision = "0004_stories"
down_revision = "0003_procrastinate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_members",
        # one row per article: an article is in exactly one story, so two racing assigners
        # cannot put it in two (the second insert is a no-op)
        sa.Column(
            "article_id", sa.String(64), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("story_id", sa.String(64), nullable=False),
        sa.Column("published_at", UTCDateTime()),  # the article's time, copied: horizon reads by time
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_story_members_story_id", "story_members", ["story_id"])
    op.create_index("ix_story_members_published_at", "story_members", ["published_at"])


def downgrade() -> None:
    op.drop_table("story_members")
