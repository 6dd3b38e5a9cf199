"""Editor and operator commands (stats, unanswered, report, qr), kept apart from the core CLI."""
from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the editor commands on the main parser."""
