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


def test_export_runs_fused_attention_kernels_and_a_per_channel_int8_copy(apirec_home):
    """The export is onnxruntime's fused transformer graph (checked equal to the plain export when it
    is made), and the int8 query copy has a scale per weight column."""
    import onnx

    spec = resolve_model()
    Embedder(spec, threads=1, quantized=True)
    fp32 = onnx.load(str(spec.onnx_dir / "model.onnx"), load_external_data=False)
    ops = {n.op_type for n in fp32.graph.node}
    assert {"Attention", "SkipLayerNormalization"} <= ops, sorted(ops)
    int8 = onnx.load(str(spec.onnx_dir / "model.int8.onnx"), load_external_data=False)
    scales = [t for t in int8.graph.initializer
              if t.name.endswith("_scale") and ("MatMul" in t.name or "qkv_weight" in t.name)]
    assert scales and all(len(t.dims) == 1 and t.dims[0] > 1 for t in scales), [t.dims for t in scales]


def test_fusion_that_does_not_apply_leaves_the_export_as_it_is(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    from apirec.dense import _fuse

    x = helper.make_tensor_value_info("input_ids", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, 4])
    node = helper.make_node("Identity", ["input_ids"], ["last_hidden_state"])
    graph = helper.make_graph([node], "g", [x], [y])
    path = tmp_path / "model.onnx"
    onnx.save(helper.make_model(graph), str(path))
    before = path.read_bytes()

    class Config:
        num_attention_heads, hidden_size = 12, 384

    assert _fuse(path, Config()) is False
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_older_exports_of_the_model_are_removed(tmp_path):
    from apirec.dense import EXPORT_VERSION, _drop_older_exports

    new = tmp_path / f"all-MiniLM-L6-v2-abc-x{EXPORT_VERSION}"
    old = tmp_path / "all-MiniLM-L6-v2-abc"
    other = tmp_path / "other-model-def"
    for d in (new, old, other):
        d.mkdir()
        (d / "model.onnx").write_bytes(b"x")
    assert _drop_older_exports(new) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([new.name, other.name])


def test_a_configured_model_of_another_architecture_exports_fused_and_embeds_as_torch_does(tmp_path,
                                                                                         monkeypatch):
    """A user's own model folder (here a small random DistilBERT, which takes no token types): the
    export, its fusion and the int8 copy hold for it too, and the vectors are the model's own."""
    import shutil

    import numpy as np
    import onnx
    import torch
    from transformers import DistilBertConfig, DistilBertModel

    monkeypatch.setenv("APIREC_HOME", str(tmp_path / "home"))
    folder = tmp_path / "distil"
    torch.manual_seed(0)
    # Weights large enough that attention matters: a padding or masking error changes the vectors.
    config = DistilBertConfig(dim=32, hidden_dim=64, n_layers=2, n_heads=2, initializer_range=0.5)
    model = DistilBertModel(config).eval()
    model.save_pretrained(str(folder))
    shutil.copy(resolve_model().path / "tokenizer.json", folder / "tokenizer.json")
    spec = resolve_model(str(folder))
    ours = Embedder(spec, threads=1)
    got = ours.embed(TEXTS[:3], batch_size=3)  # one padded batch
    with torch.no_grad():
        for text, vec in zip(TEXTS[:3], got):
            ids = ours.tokenizer.encode(text).ids
            hidden = model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0).numpy()
            assert float(vec @ (hidden / np.linalg.norm(hidden))) > 0.9999
    assert "Attention" in {n.op_type for n in onnx.load(str(spec.onnx_dir / "model.onnx")).graph.node}
    q = Embedder(spec, threads=1, quantized=True)
    assert q.quantized and float(q.embed_one(TEXTS[0]) @ got[0]) > 0.9
