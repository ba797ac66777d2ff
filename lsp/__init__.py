"""apirec language server (installed as ``apirec.lsp``)."""
