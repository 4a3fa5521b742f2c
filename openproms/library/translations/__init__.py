"""Translations of shipped measures whose licence allows one (decision 0028)."""
