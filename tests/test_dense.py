"""The ONNX export agrees with sentence-transformers, and the model is configurable."""

from __future__ import annotations

import pytest

from apirec.dense import Embedder, ModelError, resolve_model

TEXTS = ["parse a json string", "json.loads: Deserialize s (a str instance containing a JSON document) "
         "to a Python object.", "x", "Return a new list containing all items from the iterable in "
         "ascending order. A custom key function can be supplied to customize the sort order." * 3]


def test_onnx_matches_sentence_transformers(apirec_home):
    from sentence_transformers import SentenceTransformer

    spec = resolve_model()
    ours = Embedder(spec, threads=1)
    ref = SentenceTransformer(str(spec.path), device="cpu")
    ref.max_seq_length = 128  # our truncation
    expected = ref.encode(TEXTS, normalize_embeddings=True, batch_size=4)
    got = ours.embed(TEXTS, batch_size=4)  # one padded batch of mixed lengths
    assert got.shape == expected.shape
    cos = (got * expected).sum(1)
    assert cos.min() >= 0.999, cos
    one = ours.embed_one(TEXTS[0])
    assert float(one @ expected[0]) >= 0.999


def test_model_id_changes_with_the_model_and_bad_models_are_clear_errors(tmp_path):
    spec = resolve_model()
    assert spec.model_id.startswith("all-MiniLM-L6-v2@")
    assert resolve_model(str(spec.path)).model_id.split("@")[1] == spec.model_id.split("@")[1]
    with pytest.raises(ModelError, match="not a folder"):
        resolve_model("some-hub/model-name")
    with pytest.raises(ModelError, match="sentence-transformers model folder"):
        resolve_model(str(tmp_path))


def test_int8_query_model_stays_close_to_the_fp32_index_vectors(apirec_home, monkeypatch):
    """Queries run an int8 copy of the model (made once, cached beside the export); documents keep
    fp32. Its vectors must stay close enough that retrieval does not change: same nearest text."""
    from apirec.dense import query_quantized

    spec = resolve_model()
    fp32 = Embedder(spec, threads=1)
    int8 = Embedder(spec, threads=1, quantized=True)
    assert int8.quantized and (spec.onnx_dir / "model.int8.onnx").exists()
    docs = fp32.embed(TEXTS)
    queries = ["parse a json string", "sort a list", "decode json text into a python object"]
    a, b = fp32.embed(queries), int8.embed(queries)
    cos = (a * b).sum(1)
    assert cos.min() >= 0.9, cos
    assert ((a @ docs.T).argmax(1) == (b @ docs.T).argmax(1)).all()
    monkeypatch.setenv("APIREC_QUERY_INT8", "0")
    assert not query_quantized()
    monkeypatch.delenv("APIREC_QUERY_INT8")
    assert query_quantized()
