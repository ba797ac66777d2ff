"""A real file an editor opens: completion is requested right after `os.path.` below."""
import os


def resource(name):
    return os.path.
