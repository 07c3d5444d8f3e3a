"""share links: downloads counted apart from views

Revision ID: b7e2d4a91c3f
Revises: 3c1f0a9e5b21
Create Date: 2026-12-04 10:00:00

Until now a download through a link was counted as a view; existing counts stay views.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'b7e2d4a91c3f'
down_revision: Union[str, Sequence[str], None] = '3c1f0a9e5b21'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('downloads', sa.Integer(), nullable=False, server_default='0')
        )
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.alter_column('downloads', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_column('downloads')
