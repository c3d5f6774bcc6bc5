"""A module's run-time context: its object and globals."""

from __future__ import annotations


class ModuleContext:
    """What code of one module needs at run time: its object and globals."""

    def __init__(self, name, file, display_name=None):
        self.name = name
        self.file = file
        self.display_name = display_name or name
        self.module = None
        self.globals: dict = {}
