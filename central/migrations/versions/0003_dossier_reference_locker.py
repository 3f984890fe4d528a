"""Dossiers keep the kiosk's own reference (unique) and the locker place where staff left the result.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('dossiers', sa.Column('kiosk_reference', sa.String(length=40), nullable=True))
    op.add_column('dossiers', sa.Column('locker_kiosk', sa.String(length=80), nullable=True))
    op.add_column('dossiers', sa.Column('locker_compartment', sa.String(length=20), nullable=True))
    op.create_index(op.f('ix_dossiers_kiosk_reference'), 'dossiers', ['kiosk_reference'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_dossiers_kiosk_reference'), table_name='dossiers')
    with op.batch_alter_table('dossiers') as batch:
        batch.drop_column('locker_compartment')
        batch.drop_column('locker_kiosk')
        batch.drop_column('kiosk_reference')
