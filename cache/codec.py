"""Frames to bytes and back: Arrow IPC streams with zstd compression, never pickle.

Dtypes (datetime64, float, int, ``str``, categorical) and the index, including a
DatetimeIndex's frequency, survive the round trip. Storage is left to the stores.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from errors import CacheCorrupt

_WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")
_FREQ_KEY = b"kpidash.index_freq"


def encode_frame(frame: pd.DataFrame) -> bytes:
    """Serialise ``frame`` as one compressed Arrow IPC stream."""
    batch = _one_batch(pa.Table.from_pandas(frame, preserve_index=None))
    freq = getattr(frame.index, "freqstr", None)
    if freq:
        batch = batch.replace_schema_metadata(
            {**(batch.schema.metadata or {}), _FREQ_KEY: freq.encode("ascii")}
        )

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema, options=_WRITE_OPTIONS) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def _one_batch(table: pa.Table) -> pa.RecordBatch:
    # One batch, even for no rows (an empty table writes no batch and so loses its
    # category lists), whatever the chunking of pandas' Arrow-backed str columns.
    table = table.combine_chunks()
    arrays = [
        column.chunk(0) if column.num_chunks else pa.array([], column.type)
        for column in table.columns
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=table.schema)


def decode_frame(data: bytes) -> pd.DataFrame:
    """Rebuild the frame :func:`encode_frame` wrote; raise CacheCorrupt on bad bytes."""
    try:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        frame = table.to_pandas()
    except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
        raise CacheCorrupt(
            f"a stored frame of {len(data)} bytes is not a readable Arrow stream "
            f"({exc}); run the refresh again to rewrite it"
        ) from exc

    freq = (table.schema.metadata or {}).get(_FREQ_KEY)
    if freq and isinstance(frame.index, pd.DatetimeIndex):
        frame.index.freq = freq.decode("ascii")
    return frame
