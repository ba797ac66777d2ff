"""apirec: offline-first API recommendation."""

__version__ = "0.1.0"
