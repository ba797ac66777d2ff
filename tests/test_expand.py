"""Query expansion: the words users and API names spell differently."""

from apirec.expand import expand
from apirec.textproc import tokenize


def test_deleting_meets_drop_and_back():
    # pandas' `drop`, `dropna`, `drop_duplicates`: what "delete a column" asks for.
    for query in ("delete a column", "remove duplicate rows", "deleting rows"):
        assert "drop" in expand(tokenize(query)), query
    assert set(tokenize("remove delete")) <= set(expand(tokenize("drop a column")))


def test_expansions_are_new_words_only():
    tokens = tokenize("delete and remove a file")
    extra = expand(tokens)
    assert extra and not set(extra) & set(tokens)
    assert len(extra) == len(set(extra))
