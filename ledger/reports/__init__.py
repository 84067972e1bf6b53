"""Read-side statements: trial balance, general ledger and their CSV and PDF exports."""
