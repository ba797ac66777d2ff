"""Source discovery, tree-sitter extractors and doc parsers (installed as ``apirec.indexer``)."""
