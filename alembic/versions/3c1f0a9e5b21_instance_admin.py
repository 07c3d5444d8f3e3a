"""instance administrator flag on users; organisation invitations by e-mail

Revision ID: 3c1f0a9e5b21
Revises: d167acac1de4
Create Date: 2026-12-03 10:00:00

Without INSTANCE_ADMIN_EMAILS the first account is the instance administrator. An existing
instance keeps one: the oldest account gets the flag. Invitations are kept per e-mail whether
or not it has an account, and become memberships when that account signs in.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '3c1f0a9e5b21'
down_revision: Union[str, Sequence[str], None] = 'd167acac1de4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('organization_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization_id', 'email', name='uq_invitation')
    )
    with op.batch_alter_table('organization_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_invitations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_invitations_organization_id'), ['organization_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_instance_admin', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('is_instance_admin', server_default=None)
        batch_op.create_index(
            'uq_users_one_instance_admin',
            ['is_instance_admin'],
            unique=True,
            sqlite_where=sa.text('is_instance_admin'),
            postgresql_where=sa.text('is_instance_admin'),
        )
    op.execute(
        "UPDATE users SET is_instance_admin = TRUE WHERE id = (SELECT MIN(id) FROM users)"
    )


def downgrade() -> None:
    with op.batch_alter_table('organization_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_invitations_organization_id'))
        batch_op.drop_index(batch_op.f('ix_organization_invitations_email'))
    op.drop_table('organization_invitations')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('uq_users_one_instance_admin')
        batch_op.drop_column('is_instance_admin')
