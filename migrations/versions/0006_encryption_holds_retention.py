"""per-matter data keys, retention, legal holds

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matters') as batch_op:
        batch_op.add_column(sa.Column('data_key', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=True))
    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('set_by', sa.String(length=200), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lifted_by', sa.String(length=200), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['matter_id'], ['matters.id'], name=op.f('fk_legal_holds_matter_id_matters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_legal_holds_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    op.create_index(op.f('ix_legal_holds_matter_id'), 'legal_holds', ['matter_id'], unique=False)
    op.create_index(op.f('ix_legal_holds_document_id'), 'legal_holds', ['document_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_legal_holds_document_id'), table_name='legal_holds')
    op.drop_index(op.f('ix_legal_holds_matter_id'), table_name='legal_holds')
    op.drop_table('legal_holds')
    with op.batch_alter_table('matters') as batch_op:
        batch_op.drop_column('retention_days')
        batch_op.drop_column('data_key')
