"""`python -m apirec.lsp`: the language server on stdio (see `server.main`)."""

import os
import sys

# Editors start the server with cwd = the workspace, and `python -m` puts the cwd first on sys.path:
# a workspace `json.py` would be imported (executed) instead of the real module. Drop that entry.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from apirec.lsp.server import main

sys.exit(main())
