"""A real file an editor opens: completion is requested right after `os.path.` below."""
import os


def data_file(name):
    return os.path.
