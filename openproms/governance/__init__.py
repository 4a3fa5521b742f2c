"""Information governance: what is held about a person, given to them, erased,
restricted and kept (subject access, erasure, restriction, retention)."""
