from apirec.textproc import segment, split_identifier, stem, tokenize


def test_split_identifier_handles_camel_snake_dots_and_acronyms():
    assert split_identifier("readCSVFile") == ["read", "csv", "file"]
    assert split_identifier("os.path.join") == ["os", "path", "join"]
    assert split_identifier("read_csv") == ["read", "csv"]
    assert split_identifier("HTTPServer2") == ["http", "server", "2"]


def test_tokenize_lowercases_stems_drops_stopwords_and_keeps_compounds():
    toks = tokenize("How to read the lines of a file?")
    assert toks == ["read", "line", "file"]
    toks = tokenize("json.loads read_csv")
    assert "json" in toks and "load" in toks and "read_csv" in toks and "csv" in toks


def test_stem_meets_plural_and_gerund_forms():
    assert stem("files") == stem("file") == "file"
    assert stem("parsing") == stem("parse") == stem("parsed")
    assert stem("splitting") == "split"
    assert stem("sorted") == "sort"


def test_segment_splits_run_together_names_only_when_fully_covered():
    vocab = frozenset({"read", "line", "lines", "from", "timestamp", "first", "is"})
    assert segment("readline", vocab) == ["read", "line"]
    assert segment("isfirstline", vocab) == ["is", "first", "line"]
    assert segment("strptime", vocab) is None
    assert segment("read", vocab) is None  # short words are left alone
