"""Backups of a whole installation and restoring them (docs/deployment.md, decision 0020).

``openproms backup --to DIR`` writes the database (SQLite's online backup API, or
``pg_dump --format=custom``), every file in the data folder's ``media/`` and its
generated secret key, and ``manifest.json`` last (row counts, applied migrations,
checksums), optionally encrypted with a passphrase. ``openproms restore DIR`` checks
all of that and restores into an empty data folder or database.

Pure modules (no Django): ``errors``, ``crypto`` (passphrase encryption of streams),
``manifest`` (what a backup holds, its seal, the schema check) and ``folders``
(the unfinished folder renamed at the end, the data folder's files). ``databases``
talks to SQLite and PostgreSQL without the ORM; ``services`` ties it all to the
settings and the audit log; ``cli`` is the command line.
"""
