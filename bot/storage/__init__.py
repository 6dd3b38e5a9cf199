"""The SQLite log (events, users, guided-check progress) and the pseudonymous keys that replace Telegram IDs on disk."""
