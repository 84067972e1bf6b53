"""Documents handed to donors, receivers and auditors (receipts, vouchers, statements), rendered from plain data."""
