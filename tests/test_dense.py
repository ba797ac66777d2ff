"""The ONNX export agrees with sentence-transformers, and the model is configurable."""

from __future__ import annotations

import numpy as np
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
