"""unit names searchable by any two consecutive characters

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIGRAMS = """
CREATE FUNCTION zc_bigrams(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT substr(t, i, 2))), ''::tsvector)
  FROM generate_series(1, greatest(char_length(t) - 1, 0)) AS i
$$
"""


def upgrade() -> None:
    op.execute(BIGRAMS)
    op.add_column("units", sa.Column("grams", pg.TSVECTOR(), sa.Computed("zc_bigrams(name)", persisted=True),
                                     nullable=False))
    op.create_index("ix_units_grams", "units", ["grams"], postgresql_using="gin")
    op.drop_index("ix_units_name_trgm", table_name="units")


def downgrade() -> None:
    op.create_index("ix_units_name_trgm", "units", ["name"], postgresql_using="gin",
                    postgresql_ops={"name": "gin_trgm_ops"})
    op.drop_index("ix_units_grams", table_name="units")
    op.drop_column("units", "grams")
    op.execute("DROP FUNCTION zc_bigrams(text)")
