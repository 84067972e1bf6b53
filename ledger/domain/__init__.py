"""The ledger's rules: plain, typed Python with no Flask and no SQLAlchemy."""
