"""Okapi BM25 over sparse matrices (scipy), built from whitespace chunks.

Term weight of term t in document d (Robertson & Zaragoza 2009, the form Lucene uses):

    w(t, d) = idf(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 - b + b · |d| / avgdl))
    idf(t)  = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

with N documents, df the number of documents holding t, |d| the number of terms of d and avgdl
its mean; k1 = 1.2 and b = 0.75 by default. A query q scores ``Σ_t qtf(t, q) · w(t, d)``: the
weights are stored once as a CSC matrix, so a query reads only the postings of its own terms.

Building is vectorised: the corpus is split at whitespace and dictionary-encoded by Arrow
(:func:`chunk_matrix`), each *distinct* chunk is analysed once, and ``tf = C · A`` where C
counts chunks per document and A terms per chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from econsec.promote.matching_text import PUNCTUATION, Analyzer

Progress = Callable[[str, float], None]


def chunk_matrix(texts: Sequence[str]) -> tuple[sparse.csr_matrix, list[str]]:
    """Documents x distinct chunks (counts), and the chunks.

    A chunk is a whitespace-separated piece of a text, lower-cased and stripped of leading and
    trailing ASCII punctuation (:func:`~econsec.promote.matching_text.normalise`): "System,"
    and "system" are one chunk. Arrow splits, trims and dictionary-encodes in C++: no Python
    loop over the ~13 M chunks of the SBIR corpus, which hold ~250,000 distinct ones.
    """
    lowered = pc.utf8_lower(pa.array(list(texts), pa.large_string()))
    split = pc.utf8_split_whitespace(lowered)
    flat = pc.utf8_trim(split.flatten(), characters=PUNCTUATION)
    encoded = pc.dictionary_encode(flat)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)  # a writable copy
    offsets = split.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    chunks: list[str] = encoded.dictionary.to_pylist()
    data = np.ones(codes.size, dtype=np.float32)
    matrix = sparse.csr_matrix((data, codes, offsets), shape=(len(texts), len(chunks)))
    matrix.sum_duplicates()
    return matrix, chunks


def term_matrix(
    chunks: list[str], terms_of: list[list[str]], vocab: dict[str, int]
) -> sparse.csr_matrix:
    """Chunks x terms (counts), growing ``vocab`` with terms not yet in it."""
    rows: list[int] = []
    cols: list[int] = []
    for i, terms in enumerate(terms_of):
        for term in terms:
            rows.append(i)
            cols.append(vocab.setdefault(term, len(vocab)))
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(chunks), len(vocab)))
    matrix.sum_duplicates()
    return matrix


@dataclass(slots=True)
class BM25Index:
    """A BM25 index: ``weights`` is documents x terms (CSC), ``vocab`` term → column."""

    analyzer: Analyzer
    vocab: dict[str, int]
    idf: np.ndarray
    weights: sparse.csc_matrix
    k1: float
    b: float
    terms: list[str]
    rows: sparse.csr_matrix  # the same weights by document, to explain a few documents fast

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        *,
        analyzer: Analyzer | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        progress: Progress | None = None,
        chunked: tuple[sparse.csr_matrix, list[str]] | None = None,
    ) -> BM25Index:
        """Index ``texts`` (``chunked``: their :func:`chunk_matrix`, when already computed)."""
        analyzer = analyzer or Analyzer()
        counts, chunks = chunked if chunked is not None else chunk_matrix(texts)
        if progress:
            progress("terms", 0.0)
        terms_of: list[list[str]] = []
        step = 50_000
        for start in range(0, len(chunks), step):
            terms_of.extend(analyzer.chunks(chunks[start : start + step]))
            if progress:
                progress("terms", min(1.0, (start + step) / max(len(chunks), 1)))
        vocab: dict[str, int] = {}
        tf = (counts @ term_matrix(chunks, terms_of, vocab)).tocsr()
        return cls.from_tf(tf, analyzer, vocab, k1=k1, b=b)

    @classmethod
    def from_tf(
        cls,
        tf: sparse.csr_matrix,
        analyzer: Analyzer,
        vocab: dict[str, int],
        *,
        k1: float,
        b: float,
    ) -> BM25Index:
        """BM25 weights from a documents x terms count matrix."""
        n_docs = tf.shape[0]
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        avgdl = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        norm = k1 * (1.0 - b + b * lengths / avgdl)
        tf = tf.astype(np.float32)
        row_norm = np.repeat(norm, np.diff(tf.indptr)).astype(np.float32)
        data = tf.data * (k1 + 1.0) / (tf.data + row_norm) * idf[tf.indices].astype(np.float32)
        rows = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape)
        terms = [""] * len(vocab)
        for term, col in vocab.items():
            terms[col] = term
        return cls(analyzer, vocab, idf, rows.tocsc(), k1, b, terms, rows)

    @property
    def size(self) -> int:
        """Number of documents."""
        return int(self.weights.shape[0])

    def query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query's known term columns and their counts (qtf)."""
        ids = [self.vocab[t] for t in self.analyzer.text(text) if t in self.vocab]
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        cols, counts = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
        return cols, counts.astype(np.float32)

    def scores(self, cols: np.ndarray, qtf: np.ndarray) -> np.ndarray:
        """BM25 score of every document for a query given as term columns and counts."""
        if cols.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.weights[:, cols] @ qtf, dtype=np.float32).ravel()

    def explain(
        self, docs: Sequence[int], cols: np.ndarray, qtf: np.ndarray
    ) -> list[list[tuple[str, float]]]:
        """For each of ``docs``: the query terms it holds, as (shown word, share of its score),
        largest first."""
        if cols.size == 0:
            return [[] for _ in docs]
        sub = self.rows[np.asarray(docs, dtype=np.int64)][:, cols]
        out: list[list[tuple[str, float]]] = []
        for i in range(len(docs)):
            row = sub.getrow(i)
            found = [
                (int(cols[j]), float(v) * float(qtf[j]))
                for j, v in zip(row.indices, row.data, strict=True)
                if v > 0
            ]
            found.sort(key=lambda cv: -cv[1])
            out.append(
                [(self.analyzer.display.get(self.terms[c], self.terms[c]), v) for c, v in found]
            )
        return out
