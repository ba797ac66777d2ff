import os
import sys

# `python -m apirec` puts the current directory first on sys.path. Run inside a repository being
# indexed, its `json.py` or `numpy.py` would then be imported (executed) instead of the real one:
# drop that entry before anything else is imported. (The `apirec` console script has no such entry.)
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from apirec.cli import main

sys.exit(main())
