"""Use cases: each opens one unit of work, locks, loads, calls the rules and writes."""
