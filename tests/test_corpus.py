import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:
    from apirec.indexer import corpus
except ImportError:
    from indexer import corpus

DATA = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "apicomp"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="shared evaluation data not present")


def _valid_rows(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@needs_data
@pytest.mark.parametrize("stem", ["corpus_monkey", "corpus_beatnum"])
def test_private_library_corpora(stem):
    path = DATA / f"{stem}.jsonl"
    records, warnings = corpus.parse_corpus(path)
    rows = _valid_rows(path)
    assert warnings == [] and len(records) == len(rows)
    assert [r.public_path for r in records] == [row["api"] for row in rows]
    assert all(r.origin == stem and r.source_id is None for r in records)  # these rows carry no "id"
    assert corpus.is_corpus_file(path, path.read_text(encoding="utf-8")[:4096])


@needs_data
def test_monkey_known_api():
    records, _ = corpus.parse_corpus(DATA / "corpus_monkey.jsonl", origin="monkey")
    avg = next(r for r in records if r.public_path == "monkey.average")
    assert avg.origin == "monkey" and avg.kind == "function"
    assert avg.signature == "(self, axis=None, skipna=None, level=None, numeric_only=None, **kwargs)"
    assert [p.name for p in avg.params] == ["axis", "skipna", "level", "numeric_only", "kwargs"]
    assert avg.params[-1].kind == "var_keyword" and avg.params[0].default == "None"
    assert avg.summary == "Return the average value along the specified axis."
    assert ("text_id", "1200000") in avg.extra


@needs_data
def test_gorilla_corpus():
    path = DATA / "corpus_gorilla_torchhub.jsonl"
    records, warnings = corpus.parse_corpus(path)
    rows = _valid_rows(path)
    assert warnings == [] and len(records) == len(rows) == 94
    assert [r.source_id for r in records] == [str(row["id"]) for row in rows]
    assert len({r.public_path for r in records}) == len(records)  # one distinct name per row
    assert len({r.id for r in records}) == len(records)
    first = records[0]
    assert first.public_path == "torch.hub.load.facebookresearch_pytorchvideo.slow_r50"
    assert first.signature == rows[0]["api"]
    assert "Video Classification" in first.summary and "3D ResNet" in first.summary
    assert "Kinetics 400" in first.doc
    assert "torch.hub.load('facebookresearch/pytorchvideo', 'slow_r50'" in first.examples[0].code
    assert [p.name for p in first.params] == ["repo_or_dir", "model", "pretrained"]
    assert ("domain", "Video Classification") in first.extra
    resnet = [r for r in records if r.public_path == "torch.hub.load.pytorch_vision.resnet50"]
    assert len(resnet) == 1 and "model='resnet50'" in resnet[0].signature
    assert corpus.is_corpus_file(path, path.read_text(encoding="utf-8")[:2048])


def test_bad_lines_are_warnings_and_json_arrays(tmp_path):
    text = (
        '{"id": 7, "api": "mylib.io.Reader.read_all(self, size=-1)", "doc": "Read everything. Blocks."}\n'
        "\n"
        "{not json\n"
        '[1, 2]\n'
        '{"doc": "no name"}\n'
        '{"name": "mylib.Config", "signature": "Config(path: str = \'a\')", "doc": "Settings."}\n'
    )
    records, warnings = corpus.parse_corpus(tmp_path / "lib.jsonl", text)
    assert [r.public_path for r in records] == ["mylib.io.Reader.read_all", "mylib.Config"]
    read_all, config = records
    assert read_all.source_id == "7" and read_all.signature == "(self, size=-1)" and read_all.summary == "Read everything."
    assert config.kind == "class" and config.signature == "(path: str = 'a')" and config.origin == "lib"
    assert config.params[0].annotation == "str" and config.params[0].default == "'a'"
    assert len(warnings) == 3
    assert ":3:" in warnings[0] and "line 4" in warnings[1] and "line 5" in warnings[2]

    array = json.dumps([{"api": "a.f", "doc": "F."}, {"api": "a.g(x)", "doc": "G."}], indent=2)
    records, warnings = corpus.parse_corpus(tmp_path / "arr.json", array, origin="arr")
    assert [(r.public_path, r.signature, r.origin) for r in records] == [("a.f", "", "arr"), ("a.g", "(x)", "arr")]
    assert corpus.is_corpus_file(tmp_path / "arr.json", array[: array.index('"a.g')])  # only the head is read
    assert corpus.parse_corpus(tmp_path / "broken.json", "[{")[1]  # broken array: a warning, no raise


def test_is_corpus_file_rejects_other_json(tmp_path):
    package_json = '{\n  "name": "web", "description": "x"\n}'
    assert not corpus.is_corpus_file(tmp_path / "package.json", package_json)
    assert not corpus.is_corpus_file(tmp_path / "q.jsonl", '{"id": 1, "query": "how to", "gold": ["a"]}\n')
    assert not corpus.is_corpus_file(tmp_path / "x.jsonl", "")
    assert corpus.is_corpus_file(tmp_path / "c.jsonl", '\n{"api_call": "x.y()", "functionality": "f"}\n')


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}[]":,\n apidocsnamegture_()=.0\\')), max_size=200) | st.text(max_size=100))
def test_random_text_never_raises(text):
    records, warnings = corpus.parse_corpus(pathlib.Path("r.jsonl"), text)
    assert all(r.public_path and r.origin == "r" for r in records)
    assert all(isinstance(w, str) for w in warnings)
    assert isinstance(corpus.is_corpus_file(pathlib.Path("r.jsonl"), text), bool)


def _corpus_searcher(tmp_path, name, rows, **kw):
    """A Searcher over an index built from `rows`, written as the JSON-lines corpus `name`.jsonl."""
    from apirec.build import build_index
    from apirec.search import Searcher

    path = tmp_path / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    build_index(tmp_path / "idx", [str(path)])
    return Searcher(tmp_path / "idx", **kw)


def test_query_words_that_spell_a_renamed_api_lift_it(tmp_path, apirec_home):
    """Private libraries rename everything (pandas dropna -> monkey sipna): the query's own words
    ('sip rows ... NaN') spell the name, which BM25 over whole tokens cannot see."""
    from apirec.search import FusionWeights, name_coverage

    words = [("sip", 1.0), ("row", 1.0), ("nan", 1.0)]
    assert name_coverage("sipna", words) == pytest.approx(0.6)
    assert name_coverage("traversal", words) == 0.0
    assert name_coverage("sip", words) == 1.0
    rows = [{"api": f"lib.{n}", "name": n, "signature": "(self)", "doc": d} for n, d in [
        ("sipna", "Remove missing values."),
        ("traversal", "Iterate over the rows of the frame as (index, row) pairs."),
        ("allocate", "Assign new columns to the rows of a frame."),
    ]]
    s = _corpus_searcher(tmp_path, "lib", rows)
    q = "sip the rows of a frame whose value is missing"
    top = s.search(q, k=3)
    assert top[0].record.name == "sipna" and top[0].why["name_cover"] > 0
    assert top[0].score > top[1].score + 0.01
    s.weights = FusionWeights(name_cover=0.0)
    plain = s.search(q, k=3)
    assert all("name_cover" not in h.why for h in plain)
    by_name = {h.record.name: h.score for h in plain}
    # The lift is the spelling's, and only the spelling's: weight times the share of the name covered.
    lift = top[0].score - by_name["sipna"]
    assert lift == pytest.approx(0.04 * top[0].why["name_cover"], abs=1e-4) and lift > 0.01


def test_an_api_the_question_names_as_code_is_evidence(tmp_path, apirec_home):
    """"Using zoo.total to do this", "with the function `filter_rows`": the question names the API as code
    (a dotted path, or a backticked name written like code); a class it names is what it works on. Where
    it says to use the API ("using zoo.total", "use total directly"), that counts more."""
    from apirec.build import build_index
    from apirec.search import FusionWeights, Searcher

    rows = [{"api": f"zoo.{n}", "name": n, "signature": sig, "doc": d} for n, sig, d in [
        ("find_sorted", "(a, v)", "Find indices where elements should be inserted to keep the order sorted."),
        ("total", "(a, axis=None)", "Test whether all elements evaluate to True."),
        ("filter_rows", "(cond, x, y)", "Return elements chosen from x or y depending on cond."),
        ("clip_values", "(a, lo, hi)", "Limit the values: negative values become lo."),
        ("Cage", "Cage(data)", "A cage of animals, sorted or not."),
    ]]
    s = _corpus_searcher(tmp_path, "zoo", rows)
    for q, want, use in (("check that an array is sorted, using zoo.total to do this", "total", 0.06),
                         # an alias
                         ("check that an array is sorted, using zo.total() to do this", "total", 0.06),
                         ("check that an array is sorted; zoo.total may do this", "total", 0.0),
                         ("check that an array is sorted; zoo.core.total may do this", "total", 0.0),  # moved
                         ("check that an array is sorted: use total directly", "total", 0.06),  # a plain word
                         ("replace the negative values with 0 using the function `filter_rows`",
                          "filter_rows", 0.0)):
        top = s.search(q, k=5)
        assert top[0].record.name == want and top[0].why["code_mention"] == 0.04, (q, [
            (h.record.name, h.why) for h in top])
        assert top[0].why.get("code_use", 0.0) == use, (q, top[0].why)
        s.weights = FusionWeights(code_mention=0.0)
        plain = {h.record.name: h for h in s.search(q, k=5)}
        s.weights = FusionWeights()
        assert "code_mention" not in plain[want].why
        # the mention's lift
        assert top[0].score - plain[want].score == pytest.approx(0.04 + use, abs=1e-4), q
    # A class the question names is what it works on; a backticked plain word (a column) names nothing.
    hits = s.search("sort the animals of a zoo.Cage by `total`", k=5)
    assert all("code_mention" not in h.why for h in hits), [(h.record.name, h.why) for h in hits]
    # ... and so is a plain class name after "using"; a class written as code that it says to use is the tool.
    used: set[int] = set()
    assert not s._code_mentions("sort the animals using the Cage class", used) and not used
    assert [s.record(i).name for i in s._code_mentions("keep them sorted: use zoo.Cage", used)] == ["Cage"]
    assert [s.record(i).name for i in used] == ["Cage"]
    # A pasted listing names hundreds: the first 32 names are read.
    listing = " ".join(f"mod{i}.fn{i}" for i in range(32))
    assert s._code_mentions(listing + " zoo.total") == set()
    assert len(s._code_mentions("zoo.total " + listing)) == 1
    # A word many records are named says nothing about which of them.
    many = [{"api": f"m{i}.tally", "name": "tally", "signature": "(a)", "doc": "Count the items."}
            for i in range(9)]
    (tmp_path / "many.jsonl").write_text("\n".join(json.dumps(r) for r in many), encoding="utf-8")
    build_index(tmp_path / "many", [str(tmp_path / "many.jsonl")])
    used = set()
    assert not Searcher(tmp_path / "many")._code_mentions("count them: use tally", used) and not used


def test_a_module_function_comes_before_a_class_member_of_its_name(tmp_path, apirec_home):
    """`random.random` before `random.SystemRandom.random`: the module function is what a question
    about the task asks for; the class's member only where the question names the class."""
    from apirec.search import FusionWeights

    rows = [{"api": "dice.OsDice.roll", "kind": "method", "signature": "(self)",
             "doc": "Roll a random number between one and six from the operating system dice."},
            {"api": "dice.OsDice", "kind": "class", "signature": "OsDice()", "doc": "Dice of the system."},
            {"api": "dice.roll", "kind": "function", "signature": "()", "doc": "Return x in [1, 6]."},
            {"api": "dice.shuffle", "kind": "function", "signature": "(seq)", "doc": "Shuffle a sequence."}]
    s = _corpus_searcher(tmp_path, "dice", rows)
    q = "roll a random number between one and six"
    s.weights = FusionWeights(twins=False)
    plain = [h.record.public_path for h in s.search(q, k=4)]
    assert plain.index("dice.OsDice.roll") < plain.index("dice.roll"), plain  # the member's doc says more
    s.weights = FusionWeights()
    hits = s.search(q, k=4)
    paths = [h.record.public_path for h in hits]
    assert paths.index("dice.roll") == plain.index("dice.OsDice.roll"), paths
    assert paths.index("dice.OsDice.roll") == plain.index("dice.roll"), paths  # swapped: the rest stay
    assert hits[paths.index("dice.roll")].why["before_member"] == "dice.OsDice.roll"
    # A question that names the class asks for its member: its order is left as it is.
    q = "roll a random number between one and six with the OS dice"
    named = s.search(q, k=4)
    assert all("before_member" not in h.why for h in named)
    s.weights = FusionWeights(twins=False)
    assert [h.record.public_path for h in named] == [h.record.public_path for h in s.search(q, k=4)]
    assert named[0].record.public_path == "dice.OsDice.roll"
    # ... also run together in lowercase, as questions write `DataFrame`: "merge two dataframes".
    q = "roll a random number between one and six with the osdice"
    s.weights = FusionWeights()
    assert all("before_member" not in h.why for h in s.search(q, k=4))


def test_a_prompts_return_clause_does_not_lead_the_ranking(tmp_path, apirec_home):
    """A generation prompt's "Return the frame with the changed column" says what is handed back, not
    what does the work; left in, its words put `relabel` ("Return the frame with its columns changed")
    before `roll`, which moves the values. A question that is only that clause keeps it."""

    rows = [{"api": "frames.roll", "kind": "function", "signature": "(frame, periods=1)",
             "doc": "Move values up or down by a number of places."},
            {"api": "frames.relabel", "kind": "function", "signature": "(frame, mapping)",
             "doc": "Return the frame with its columns changed to new labels."},
            {"api": "frames.join_on", "kind": "function", "signature": "(left, right, on)",
             "doc": "Join two frames on key columns."},
            {"api": "frames.read_csv", "kind": "function", "signature": "(path)",
             "doc": "Read a comma-separated file into a frame."}]
    s = _corpus_searcher(tmp_path, "frames", rows)
    top = s.search("Move the gdp column up by one. Return the frame with the changed column.", k=4)[0]
    assert top.record.public_path == "frames.roll", top
    # In a prompt's comment lines too.
    prompt = ("def lag(df):\n    # Move the gdp column up by one.\n"
              "    # Return the frame with the changed column.\n")
    hits = {h.record.public_path: h for h in s.search(prompt, k=4)}
    assert not {"return", "chang"} & set(hits["frames.relabel"].why["matched_terms"]), hits["frames.relabel"]
    top = s.search("Return the frame with its columns changed to new labels", k=4)[0]
    assert top.record.public_path == "frames.relabel", top


def test_a_model_that_converts_the_wrong_way_is_no_answer(tmp_path, apirec_home):
    """Model cards that map one kind of data to another ("Speech-To-Text", "a text-to-speech system")
    read like a type conversion: a question that turns speech into text is not answered by one that
    turns text into speech, though both share every word but their order."""

    rows = [{"api": "hub.silero_stt", "kind": "function", "signature": "(language='en')",
             "doc": "Silero Speech-To-Text models provide enterprise grade STT in a compact form-factor "
                    "for several commonly spoken languages."},
            {"api": "hub.silero_tts", "kind": "function", "signature": "(language='en', speaker='lj')",
             "doc": "Silero Text-To-Speech models provide enterprise grade TTS in a compact form-factor "
                    "for several commonly spoken languages."},
            {"api": "hub.waveglow", "kind": "function", "signature": "()",
             "doc": "The Tacotron 2 and WaveGlow model form a text-to-speech system that enables users to "
                    "synthesize natural-sounding speech from raw transcripts."},
            {"api": "hub.resnet50", "kind": "function", "signature": "(pretrained=True)",
             "doc": "Deep residual networks pre-trained on ImageNet."}]
    s = _corpus_searcher(tmp_path, "hub", rows)
    for question in ("turn spoken user commands into text", "convert customer voice calls into text"):
        hits = {h.record.public_path: h for h in s.search(question, k=4)}
        assert list(hits)[0] == "hub.silero_stt", (question, list(hits))
        assert hits["hub.silero_tts"].why["backwards"] < 0 and hits["hub.waveglow"].why["backwards"] < 0
        assert "backwards" not in hits["hub.silero_stt"].why
    hits = {h.record.public_path: h for h in s.search("convert a text document into an audio file", k=4)}
    assert hits["hub.silero_stt"].why["backwards"] < 0, hits
    assert "backwards" not in hits["hub.silero_tts"].why and "backwards" not in hits["hub.waveglow"].why
    # A doc's "text" is as often a string: without a kind of data on both sides, no conversion of data.
    from apirec.search import conversion
    assert conversion("Parses text from the beginning of the given string to produce a date.",
                      verb_only=True) == (frozenset({"str", "string", "date", "datetime"}), frozenset())
    assert conversion("an end-to-end network for text") is None


def test_a_library_that_documents_its_api_leaves_its_helpers_behind(tmp_path, apirec_home):
    """A library whose functions mostly carry doc sections ("Parameters", "Returns") documents its API;
    a bare one of it is plumbing (pandas' `core.common.get_rename_function` led "change the column
    labels"). A library that writes no sections is left alone."""
    from apirec.build import build_index
    from apirec.search import FusionWeights, Searcher

    sections = "\n\nParameters\n----------\ntable : Table\n\nReturns\n-------\nTable"
    rows = [{"api": f"tbl.{n}", "name": n, "signature": "(table, mapping)", "doc": d} for n, d in [
        ("rename_columns", "Change the labels of a table's columns." + sections),
        ("read_table", "Read a table from a file." + sections),
        ("write_table", "Write a table to a file." + sections),
        ("get_rename_function", "Returns a function that maps column labels to new names."),
    ]]
    for name, docs in (("tbl", rows), ("bare", [dict(r, doc=r["doc"].split("\n")[0]) for r in rows])):
        (tmp_path / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in docs), encoding="utf-8")
        build_index(tmp_path / name, [str(tmp_path / f"{name}.jsonl")])
    q = "a function to rename column labels"
    s = Searcher(tmp_path / "tbl")
    hits = {h.record.name: h for h in s.search(q, k=4)}
    assert hits["get_rename_function"].why["undocumented"] == -0.04
    assert all("undocumented" not in h.why for n, h in hits.items() if n != "get_rename_function")
    s.weights = FusionWeights(undocumented=0.0)
    plain = {h.record.name: h for h in s.search(q, k=4)}
    assert plain["get_rename_function"].rank < hits["get_rename_function"].rank or \
        hits["get_rename_function"].score < plain["get_rename_function"].score
    assert all("undocumented" not in h.why for h in Searcher(tmp_path / "bare").search(q, k=4))


def test_a_corpus_of_many_bad_rows_keeps_a_bounded_warning_list(tmp_path):
    text = json.dumps({"name": "lib.ok", "description": "Fine."}) + "\n" + '{"name": 1}\n' * 5000 + "{broken\n"
    records, warnings = corpus.parse_corpus(tmp_path / "big.jsonl", text)
    assert [r.public_path for r in records] == ["lib.ok"]
    assert len(warnings) == corpus.MAX_WARNINGS + 1
    assert warnings[-1] == "... and 4981 more skipped rows"


def test_name_coverage_weights_of_the_library_object_and_of_stems(tmp_path, apirec_home):
    """'a zoo ZooFrame' names the library's kind of object, which the question works on: spelling the
    class `zoo.ZooFrame` is no evidence for it. A word's stem weighs what the word weighs: the stem
    of 'zooframe' is no indexed term and once counted as a rare word."""

    rows = [{"api": "zoo.ZooFrame", "name": "ZooFrame", "signature": "ZooFrame(data)",
             "doc": "A ZooFrame of animals."}]
    rows += [{"api": f"zoo.op{i}", "name": f"op{i}", "signature": "(self)",
              "doc": f"Operation {i} on a {'ZooFrame' if i % 3 == 0 else 'table'}."} for i in range(24)]
    s = _corpus_searcher(tmp_path, "zoo", rows, load_dense=False)
    w = dict(s._weighted_words("sort the zooframe by age"))
    assert 0 < w["zooframe"] < 1 and w["zoofram"] == w["zooframe"]
    assert dict(s._weighted_words("sort a zoo zooframe by age"))["zooframe"] == 0.0
    assert dict(s._weighted_words("zoo: zooframe sorted by age"))["zooframe"] == w["zooframe"]


def test_name_coverage_reads_abbreviations():
    # 'random integer' spells randint; a word's start counts only where a name part starts or a
    # covered piece ends, so 'integer' does not spell the end of 'print'.
    from apirec.search import name_coverage

    words = [("integer", 1.0), ("random", 1.0), ("directory", 0.5), ("list", 1.0)]
    assert name_coverage("randint", words) == 1.0
    assert name_coverage("listdir", words) == pytest.approx((4 + 3 * 0.5) / 7)
    assert name_coverage("list_dir", words) == name_coverage("listdir", words)
    assert name_coverage("print", words) == 0.0
    assert name_coverage("Integral", words) == pytest.approx(5 / 8)  # the longest start: 'integ'


def test_stopwords_and_words_with_digits_spell_names():
    # "find all matches" spells `findall`, "create a dict from keys" `fromkeys`, "ends with" `endswith`;
    # the other stopwords still spell nothing ("and" is no part of `random`).
    from apirec.search import _query_words, name_coverage

    def cover(name, query):
        return name_coverage(name, [(f, 1.0) for _, forms, _ in _query_words(query) for f in forms])

    assert cover("findall", "find all matches of a pattern") == 1.0
    assert cover("fromkeys", "make a dict from a list of keys") == 1.0
    assert cover("endswith", "check if a string ends with a suffix") == 1.0
    assert cover("random", "shuffle and sort") == 0.0
    # A word that ends in digits spells a name whole ("md5": its letters alone are too short to count).
    assert cover("md5", "compute the md5 hash of a file") == 1.0
    assert cover("sha256", "sha256 digest") == 1.0 and cover("log10", "log10 of an array") == 1.0
