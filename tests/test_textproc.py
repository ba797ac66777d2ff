from apirec.textproc import segment, split_identifier, stem, tokenize, without_language_name


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


def test_a_compound_written_in_code_meets_the_word_written_lowercase():
    # Docs write `DataFrame` and `toString`, questions "dataframe" and "tostring": one token each way.
    assert tokenize("DataFrame")[0] == tokenize("dataframe")[0] == tokenize("dataframes")[0]
    assert tokenize("toString")[0] == tokenize("tostring")[0]
    assert tokenize("read_csv")[0] == "read_csv" and tokenize("log10")[0] == "log10"


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


def test_the_language_a_question_is_asked_in_is_dropped_but_not_from_names():
    py = lambda q: without_language_name(q, "python")  # noqa: E731
    assert py("Storing big numbers over 9,000 digits in Python") == "Storing big numbers over 9,000 digits"
    assert py("python - how to add unicode literal?") == "how to add unicode literal?"
    assert py("Python 2.7: sort a list") == py("python3 | sort a list") == "sort a list"
    assert py("How to check if a number is in a list? - Python") == "How to check if a number is in a list?"
    assert py("Python") == "Python"  # nothing else to ask
    assert py("get python version") == "get python version"  # the topic here
    assert py("Python \u2013 Remove duplicates") == "Remove duplicates"
    assert py("Python program to remove duplicates") == "remove duplicates"
    assert py("java in python") == "java"  # only the index's language
    java = lambda q: without_language_name(q, "java")  # noqa: E731
    assert java("How to format a date in Java 8?") == "How to format a date?"
    assert java("java.util.Date to string") == "java.util.Date to string"
    assert java("read Foo.java with JavaScript") == "read Foo.java with JavaScript"
    assert without_language_name("sort a list in python", "c") == "sort a list in python"


def test_an_args_to_result_docstring_summary_says_what_it_returns():
    from apirec.records import summarize

    assert summarize("datetime -> string name of time zone.") == "Return string name of time zone."
    assert summarize("dup() -> socket object") == "Return socket object"
    # A paragraph of signatures with what they give is skipped for the prose that follows.
    assert summarize("dup() -> socket object\n\nDuplicate the socket.") == "Duplicate the socket."
    # Prose on the lines after a signature keeps the paragraph (collections.abc.Sequence.index).
    index_doc = "S.index(value) -> integer -- return first index.\nRaises ValueError.\n\nStart is optional."
    assert summarize(index_doc) == "Return integer -- return first index."
    prose = "Return an object that produces a sequence."
    assert summarize("range(stop) -> range object\nrange(start, stop[, step]) -> range object\n\n"
                     + prose) == prose
    for doc in ("Return a dictionary of scheme -> proxy server URL mappings.",  # a sentence already
                "unquote_to_bytes('abc%20def') -> b'abc def'.",  # an example, not a result
                "strcoll(string,string) -> int.",  # a bare type
                "f(a) -> list\nf(a, b) -> list of lists"):  # overloads
        assert summarize(doc) == " ".join(doc.split()), doc


def test_joined_tokens_are_at_most_twice_the_text_and_names_query_relies_on_it():
    # `names_query` skips tokenizing a name when the question is longer than twice the name: a text's
    # tokens (a compound whole, then its stemmed parts) never add up to more.
    import builtins
    import collections
    import os

    from apirec.records import ApiRecord
    from apirec.search import names_query

    texts = ["readCSVFile", "HTTPServer2", "os.path.join", "__init__", "md5", "sha256", "log10",
             "XMLHttpRequest2Go", "a_b_c_d", "generously", "nationalities", "java.lang.Integer.parseInt"]
    texts += [n for m in (builtins, os, str, dict, collections) for n in dir(m)]
    for t in texts:
        assert len("".join(tokenize(t, stopwords=False))) <= 2 * len(t), t
    rec = ApiRecord(public_path="java.lang.Integer.parseInt", canonical_path="java.lang.Integer.parseInt",
                    kind="method", language="java")
    assert names_query("".join(tokenize("parseInt", stopwords=False)), rec)
    assert names_query("".join(tokenize("java.lang.Integer.parseInt", stopwords=False)), rec)
    assert not names_query("".join(tokenize("how to parse an int from a string", stopwords=False)), rec)


def test_a_prompts_return_clause_is_dropped_but_not_the_noun():
    from apirec.textproc import without_return_clause as w

    assert w("Concatenate the two frames and return the new frame.").strip() == "Concatenate the two frames"
    assert w("Count the non-zero values in the array. Return the count.").strip() == \
        "Count the non-zero values in the array."
    assert w("Sum the array over rows, then return: the total").strip() == "Sum the array over rows"
    # Seven words from "return" on, whatever stands before "and".
    assert w("Sort the rows by date, and return the sorted frame with new index.").strip() == \
        "Sort the rows by date"
    # The noun stays, and so does a clause that is most of the question.
    assert w("print a carriage return in a string") == "print a carriage return in a string"
    assert w("get the return value of a thread") == "get the return value of a thread"
    asked = "how to return multiple values from a function"
    assert w(asked) == asked
    assert w("Return the number of rows of the frame") == "Return the number of rows of the frame"
    assert w("sort a list and return it") == "sort a list and return it"  # "sort list" is too little
    # A long clause says what to do, not only what comes back.
    long = "Split the text and return the words that are longer than five letters after lowercasing them"
    assert w(long) == long


def test_a_module_title_is_summarized_without_its_rules():
    from apirec.records import summarize

    # numpy.fft, numpy.doc.ufuncs, pdb: the title was the summary with its "=====" rule.
    assert summarize("Discrete Fourier Transform\n==========================\n\n.. currentmodule:: "
                     "numpy.fft\n\nThe SciPy module ...") == "Discrete Fourier Transform"
    assert summarize("===================\nUniversal Functions\n===================\n\nUfuncs are ...") \
        == "Universal Functions"
    assert summarize("ast\n~~~\n\nThe `ast` module helps.") == "ast"
    # A docstring of sections only has no summary ("Parameters ---------- name : str Extension name.").
    assert summarize("Parameters\n----------\nname : str\n    Extension name.") == ""
    assert summarize("Split a string.\n\nParameters\n----------\nx : str") == "Split a string."
    assert summarize("a -- b, and a --- c") == "a -- b, and a --- c"
