"""Scanned paper: printing forms that are due, reading uploaded scans and photos in
the background, and the verification queue where a person decides only what the
reader was not sure of."""
