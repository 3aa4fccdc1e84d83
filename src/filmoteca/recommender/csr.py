"""A read-only CSR matrix in plain numpy: what the request path needs, without scipy.

The server maps the feature matrix from the catalog (three arrays, see `storage`) and only ever
reads it: a few rows' dot products (`dots.row_dots`), their shared columns (`reasons.shared`),
and, for the whole-catalog fallback, the mean of some rows and one matrix-vector product.
Importing scipy would cost the server ~24 MB of resident memory for these two operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MATVEC_ROWS = 4096  # rows per block of `Csr.matvec`


@dataclass(frozen=True, slots=True)
class Csr:
    """Compressed sparse rows: row i holds data[indptr[i]:indptr[i+1]] at those `indices`."""

    data: np.ndarray  # float32 values
    indices: np.ndarray  # column of each value, sorted within a row
    indptr: np.ndarray  # n_rows + 1 offsets into data / indices
    shape: tuple[int, int]

    @classmethod
    def of(cls, matrix: Any) -> Csr:
        """The same matrix from anything with CSR arrays (a scipy.sparse.csr_matrix at fit)."""
        rows, cols = matrix.shape
        return cls(matrix.data, matrix.indices, matrix.indptr, (int(rows), int(cols)))

    @property
    def nnz(self) -> int:
        """Number of stored values."""
        return int(self.indptr[-1])

    def check(self) -> None:
        """ValueError unless the three arrays make a matrix of `shape` (reads no more than that)."""
        rows = self.shape[0]
        if self.indptr.ndim != 1 or len(self.indptr) != rows + 1 or self.indptr[0] != 0:
            raise ValueError(f"indptr de longitud {len(self.indptr)} para {rows} filas")
        if self.data.shape != (self.nnz,) or self.indices.shape != (self.nnz,):
            raise ValueError(f"{self.nnz} valores, pero data e indices miden {len(self.data)}")

    def entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions (in indices / data) of the values of `rows`, and the row slot of each."""
        rows = np.asarray(rows, dtype=np.int64)
        starts = self.indptr[rows].astype(np.int64)
        lengths = self.indptr[rows + 1].astype(np.int64) - starts
        owner = np.repeat(np.arange(len(rows)), lengths)
        offsets = np.cumsum(lengths) - lengths
        positions = np.arange(int(lengths.sum())) - offsets[owner] + starts[owner]
        return positions, owner

    def mean_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """Mean of the rows at `rows` (repeats count) as a dense float32 vector; 0s if none."""
        out = np.zeros(self.shape[1], dtype=np.float32)
        if len(rows) == 0:
            return out
        positions, _ = self.entries(rows)
        sums = np.bincount(
            self.indices[positions], weights=self.data[positions], minlength=self.shape[1]
        )
        out[:] = sums / len(rows)
        return out

    def matvec(self, vector: np.ndarray) -> np.ndarray:
        """matrix @ vector as float32 (empty rows give 0), a block of rows at a time so that
        the temporary products stay small (the whole matrix is ~9 MB of values on 45k movies)."""
        if np.shape(vector) != (self.shape[1],):
            raise ValueError(f"vector de forma {np.shape(vector)} para {self.shape[1]} columnas")
        vector = np.asarray(vector, dtype=np.float32)
        out = np.zeros(self.shape[0], dtype=np.float32)
        for r0 in range(0, self.shape[0], MATVEC_ROWS):
            r1 = min(r0 + MATVEC_ROWS, self.shape[0])
            out[r0:r1] = self._block_matvec(vector, r0, r1)
        return out

    def _block_matvec(self, vector: np.ndarray, r0: int, r1: int) -> np.ndarray:
        """Rows r0..r1 of matrix @ vector."""
        out = np.zeros(r1 - r0, dtype=np.float32)
        lo, hi = int(self.indptr[r0]), int(self.indptr[r1])
        if hi == lo:
            return out
        products = np.take(vector, self.indices[lo:hi])
        products *= self.data[lo:hi]
        starts = self.indptr[r0:r1].astype(np.int64) - lo
        filled = np.flatnonzero(self.indptr[r0 + 1 : r1 + 1] > self.indptr[r0:r1])
        # reduceat sums from each start to the next one given: with only non-empty rows given,
        # that is exactly the row (the empty rows in between hold nothing)
        out[filled] = np.add.reduceat(products, starts[filled])
        return out
