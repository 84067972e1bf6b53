"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``."""

from ledger import create_app

app = create_app()
