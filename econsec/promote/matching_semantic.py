"""The semantic side of matching: a static embedding model that ships inside a PyPI wheel.

Model: WordLlama ``l2_supercat_256`` (wordllama 0.4, MIT licence, D. Miller 2024): the token
embedding table of LLaMA-2-70B and other models, concatenated and trained down to 256 dimensions
for sentence similarity. The weights (``wordllama/weights/l2_supercat_256.safetensors``, 32,000
tokens x 256, float16, 16 MB) and the LLaMA-2 SentencePiece tokenizer
(``wordllama/tokenizers/l2_supercat_tokenizer_config.json``) are files *inside the wheel*; we
read them from the installed package with ``safetensors`` and ``tokenizers`` and never call
WordLlama's own loader (which looks for the tokenizer in a folder the wheel does not have and
then tries the Hugging Face hub). Nothing is downloaded: see ``tests/promote``, which loads it
under ``HF_HUB_OFFLINE=1``.

Embedding of a text (WordLlama's average pooling): with n(d, v) the count of token v in text d
and E the table,

    e(d) = Σ_v n(d, v) · E[v] / |Σ_v n(d, v) · E[v]|₂

(the mean before normalisation; the norm makes the dot product a cosine). Texts are read as
the BM25 side reads them (lower case, end punctuation dropped: the mean then holds no vectors
of commas and full stops) and each distinct chunk is tokenised once, so the corpus costs one
sparse product ``(C · T) · E`` (documents x chunks x tokens x 256).

Limits: LLaMA-2's vocabulary holds few Japanese pieces (mostly single kana and kanji), so
Japanese embeddings are character-level and weak, and English-Japanese similarity is low.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from econsec.errors import MissingDependency
from econsec.promote.matching_text import normalise

MODEL = "wordllama l2_supercat_256"
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"

Progress = Callable[[str, float], None]


def package_files() -> tuple[Path, Path]:
    """The weights and tokenizer files of the installed ``wordllama`` package.

    Found without importing the package (its import pulls in ``requests``), or
    MissingDependency naming the package to install.
    """
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise MissingDependency(
            "the semantic matcher needs the wordllama package (its wheel holds the model): "
            "pip install 'wordllama>=0.4,<0.5'; or use --method bm25"
        )
    root = Path(spec.origin).parent
    weights, tokenizer = root / _WEIGHTS, root / _TOKENIZER
    for path in (weights, tokenizer):
        if not path.is_file():
            raise MissingDependency(
                f"the installed wordllama package has no {path.name}: reinstall wordllama 0.4"
            )
    return weights, tokenizer


@dataclass(slots=True)
class StaticEmbedder:
    """A table of token embeddings and its tokenizer; :meth:`bundled` loads WordLlama's."""

    table: np.ndarray
    tokenizer: Any
    name: str = MODEL

    @classmethod
    def bundled(cls) -> StaticEmbedder:
        """WordLlama ``l2_supercat_256`` from the installed wheel (about 0.3 s)."""
        weights, tokenizer_file = package_files()
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        table = load_file(str(weights))["embedding.weight"].astype(np.float32)
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return cls(np.ascontiguousarray(table), tokenizer)

    @property
    def dim(self) -> int:
        """Dimensions of an embedding."""
        return int(self.table.shape[1])

    def token_matrix(self, chunks: Sequence[str]) -> sparse.csr_matrix:
        """Chunks x tokens (counts); the tokenizer runs in parallel threads."""
        encoded = self.tokenizer.encode_batch(list(chunks), add_special_tokens=False)
        lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(encoded))
        ids = np.fromiter((i for e in encoded for i in e.ids), dtype=np.int64, count=lengths.sum())
        rows = np.repeat(np.arange(len(encoded), dtype=np.int64), lengths)
        data = np.ones(ids.size, dtype=np.float32)
        vocab = self.table.shape[0]
        matrix = sparse.csr_matrix((data, (rows, ids)), shape=(len(encoded), vocab))
        matrix.sum_duplicates()
        return matrix

    def embed_counts(self, counts: sparse.csr_matrix) -> np.ndarray:
        """Unit vectors from a texts x tokens count matrix (zero vectors for empty texts)."""
        vectors = np.asarray(counts @ self.table, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, norms, out=vectors, where=norms > 0)
        return vectors

    def embed_chunked(
        self,
        counts: sparse.csr_matrix,
        chunks: Sequence[str],
        *,
        progress: Progress | None = None,
        step: int = 100_000,
    ) -> np.ndarray:
        """Embeddings of documents given as documents x chunks counts and the chunks."""
        parts = []
        for start in range(0, len(chunks), step):
            parts.append(self.token_matrix(chunks[start : start + step]))
            if progress:
                progress("embed", min(0.9, 0.9 * (start + step) / max(len(chunks), 1)))
        tokens = sparse.vstack(parts).tocsr() if parts else sparse.csr_matrix((0, 1))
        vectors = self.embed_counts((counts @ tokens).tocsr()) if parts else _zeros(counts, self)
        if progress:
            progress("embed", 1.0)
        return vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit embeddings of ``texts`` (texts x dim, float32), read as the index reads a
        corpus: lower case, punctuation at the ends of words dropped."""
        if len(texts) > 100:  # many texts: tokenise each distinct chunk once
            from econsec.promote.matching_bm25 import chunk_matrix

            return self.embed_chunked(*chunk_matrix(texts))
        cleaned = [" ".join(normalise(c) for c in text.split()) for text in texts]
        return self.embed_counts(self.token_matrix(cleaned))


def _zeros(counts: sparse.csr_matrix, embedder: StaticEmbedder) -> np.ndarray:
    return np.zeros((counts.shape[0], embedder.dim), dtype=np.float32)
