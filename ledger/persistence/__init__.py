"""Storage: SQLAlchemy 2 typed models, custom column types and the engine set-up."""
