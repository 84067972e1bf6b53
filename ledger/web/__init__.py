"""The HTTP edge: the JSON API, the public pages, and the one mapping of errors."""
