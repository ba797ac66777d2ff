"""`python -m apirec.lsp`: the language server on stdio (see `server.main`)."""

import sys

from .server import main

sys.exit(main())
