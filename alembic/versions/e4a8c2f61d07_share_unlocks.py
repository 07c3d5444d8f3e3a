"""share unlocks: a checked password is kept in an HttpOnly cookie, not in the tab's state

Revision ID: e4a8c2f61d07
Revises: b7e2d4a91c3f
Create Date: 2026-12-02 19:00:00

Until now an unlocked link was remembered in the Reflex state of one browser tab: a
reconnect that Reflex gave a fresh client token (a network drop, a reload racing across two
backend workers) asked for the password again.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'e4a8c2f61d07'
down_revision: Union[str, Sequence[str], None] = 'b7e2d4a91c3f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'share_unlocks',
        sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['share_links.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('digest'),
    )
    with op.batch_alter_table('share_unlocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_unlocks_link_id'), ['link_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_share_unlocks_expires_at'), ['expires_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('share_unlocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_unlocks_expires_at'))
        batch_op.drop_index(batch_op.f('ix_share_unlocks_link_id'))
    op.drop_table('share_unlocks')
