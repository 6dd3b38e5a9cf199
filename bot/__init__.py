"""Safe-migration bot core: content, matching, flows, storage and i18n, independent of Telegram."""

__version__ = "0.1.0"
