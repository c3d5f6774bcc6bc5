"""inko-mini: an interpreter for Inko 0.4.0."""

__version__ = "0.1.0"
