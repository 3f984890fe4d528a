"""Initial schema: centers, services, counters, catalog, kiosks, staff, tickets, dossiers,
documents, uploads, ratings, heartbeats, alerts, idempotency keys and rate windows.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('centers',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('dossier_counters',
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=4), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('center_code', 'period')
    )
    op.create_table('idempotency_keys',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('principal', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_idempotency_keys_created_at'), 'idempotency_keys', ['created_at'], unique=False)
    op.create_table('procedures',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('name_vi', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('service_code', sa.String(length=4), nullable=False),
    sa.Column('processing_days', sa.Integer(), nullable=False),
    sa.Column('fee_in_person', sa.Integer(), nullable=False),
    sa.Column('fee_online', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index(op.f('ix_procedures_field'), 'procedures', ['field'], unique=False)
    op.create_table('rate_windows',
    sa.Column('bucket', sa.String(length=160), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('bucket')
    )
    op.create_table('ticket_counters',
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('service_code', sa.String(length=4), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('center_code', 'service_code', 'business_day')
    )
    op.create_table('counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['center_code'], ['centers.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('center_code', 'number', name='uq_counters_center_number')
    )
    op.create_table('kiosks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['center_code'], ['centers.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('icon', sa.String(length=60), nullable=False),
    sa.Column('default_minutes', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['center_code'], ['centers.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('center_code', 'code', name='uq_services_center_code')
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['center_code'], ['centers.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('screen', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_alerts_center_code'), 'alerts', ['center_code'], unique=False)
    op.create_table('counter_services',
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('counter_id', 'service_id')
    )
    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('procedure_code', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner_id_number', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.JSON(), nullable=False),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expected_result_date', sa.Date(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pickup', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.ForeignKeyConstraint(['procedure_code'], ['procedures.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_dossiers_center_code'), 'dossiers', ['center_code'], unique=False)
    op.create_index(op.f('ix_dossiers_status'), 'dossiers', ['status'], unique=False)
    op.create_table('heartbeats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('reported_name', sa.String(length=80), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('devices', sa.JSON(), nullable=False),
    sa.Column('outbox', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_heartbeats_kiosk_id'), 'heartbeats', ['kiosk_id'], unique=False)
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('service_code', sa.String(length=4), nullable=True),
    sa.Column('counter', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=36), nullable=False),
    sa.Column('center_code', sa.String(length=16), nullable=False),
    sa.Column('service_code', sa.String(length=4), nullable=False),
    sa.Column('issued_service', sa.String(length=4), nullable=False),
    sa.Column('business_day', sa.Date(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('counter', sa.String(length=8), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('offline', sa.Boolean(), nullable=False),
    sa.Column('reprints', sa.Integer(), nullable=False),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('void_reason', sa.String(length=60), nullable=True),
    sa.Column('transferred_from', sa.String(length=4), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('center_code', 'business_day', 'number', name='uq_tickets_number'),
    sa.UniqueConstraint('center_code', 'issued_service', 'business_day', 'seq', name='uq_tickets_seq'),
    sa.UniqueConstraint('reference')
    )
    op.create_index('ix_tickets_queue', 'tickets', ['center_code', 'service_code', 'business_day', 'status'], unique=False)
    op.create_table('uploads',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('checklist_item', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_documents_dossier_id'), 'documents', ['dossier_id'], unique=False)
    op.create_table('dossier_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_dossier_events_dossier_id'), 'dossier_events', ['dossier_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_dossier_events_dossier_id'), table_name='dossier_events')
    op.drop_table('dossier_events')
    op.drop_index(op.f('ix_documents_dossier_id'), table_name='documents')
    op.drop_table('documents')
    op.drop_table('uploads')
    op.drop_index('ix_tickets_queue', table_name='tickets')
    op.drop_table('tickets')
    op.drop_table('ratings')
    op.drop_index(op.f('ix_heartbeats_kiosk_id'), table_name='heartbeats')
    op.drop_table('heartbeats')
    op.drop_index(op.f('ix_dossiers_status'), table_name='dossiers')
    op.drop_index(op.f('ix_dossiers_center_code'), table_name='dossiers')
    op.drop_table('dossiers')
    op.drop_table('counter_services')
    op.drop_index(op.f('ix_alerts_center_code'), table_name='alerts')
    op.drop_table('alerts')
    op.drop_table('staff_users')
    op.drop_table('services')
    op.drop_table('kiosks')
    op.drop_table('counters')
    op.drop_table('ticket_counters')
    op.drop_table('rate_windows')
    op.drop_index(op.f('ix_procedures_field'), table_name='procedures')
    op.drop_table('procedures')
    op.drop_index(op.f('ix_idempotency_keys_created_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
    op.drop_table('dossier_counters')
    op.drop_table('centers')
