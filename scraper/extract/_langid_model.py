"""py3langid's model, memory-mapped from an uncompressed copy in a cache directory.

py3langid ships its model LZMA-compressed and rebuilds it in each process's heap at first
use: 27 MB of class probabilities (float16), 37 MB of tokenizer automaton (uint32) and two
Python lists with an entry per automaton state (about 7 MB), peaking about 30 MB higher
while it decompresses. Here the same arrays are written once, uncompressed, to
``<cache>/langid-<digest of the model file>/`` and mapped read-only: no decompression
peak, no per-state lists (arrays instead), and the pages belong to the page cache —
shared by every process that maps them (two parsing processes hold one copy) and
reclaimable by the kernel under memory pressure, as anonymous memory is not.

The classifier is py3langid's own ``LanguageIdentifier`` over these arrays: same model,
same arithmetic, same answers. When the cache cannot be written (a read-only home), the
model is loaded the usual way."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = "1"  # bump when the files written below change
CACHE_ENV = "NEA_CACHE_DIR"
# A scratch folder this old belongs to a writer that died; a live one takes seconds.
ABANDONED_SCRATCH_SECONDS = 3600


def cache_root() -> Path:
    """``$NEA_CACHE_DIR``, else ``$XDG_CACHE_HOME/nea-monitor``, else ``~/.cache/nea-monitor``."""
    if explicit := os.environ.get(CACHE_ENV):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nea-monitor"


def classifier() -> Callable[[str], tuple[str, float]]:
    """``classify(text) -> (language, score)`` over the memory-mapped model, or py3langid's
    in-memory one when the mapped copy cannot be made."""
    from py3langid import langid

    model = langid.MODEL_DIR / langid.MODEL_FILE
    try:
        folder = _ensure(model, cache_root())
        return _mapped(folder).classify  # type: ignore[no-any-return]
    except (OSError, ValueError) as exc:
        log.info("language model not memory-mapped (%s): loading it in memory", exc)
        return langid.classify  # type: ignore[no-any-return]


def _ensure(model: Path, root: Path) -> Path:
    """The folder of the uncompressed arrays for ``model``, written on first use. Several
    processes may start at once: each writes a private folder and renames it into place;
    the first rename wins and the others throw theirs away."""
    digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
    folder = root / f"langid-{FORMAT}-{digest}"
    if (folder / "done").exists():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".langid-", dir=root))
    try:
        _write(model, scratch)
        try:
            scratch.rename(folder)
        except OSError:
            if not (folder / "done").exists():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _remove_superseded(root, keep=folder)
    return folder


def _remove_superseded(root: Path, keep: Path) -> None:
    """Delete the models of other versions (an upgrade changes the digest or FORMAT) and
    scratch folders of writers that died, so upgrades do not pile up 70 MB each. A
    process still mapping a deleted file keeps reading it: unlinking does not unmap."""
    now = time.time()
    for entry in root.iterdir():
        if entry == keep:
            continue
        try:
            if entry.name.startswith("langid-") or (
                entry.name.startswith(".langid-")
                and now - entry.stat().st_mtime > ABANDONED_SCRATCH_SECONDS
            ):
                shutil.rmtree(entry)
        except OSError as exc:  # another process removed it first, or no permission
            log.debug("cannot remove old language model %s: %s", entry, exc)


def _write(model: Path, folder: Path) -> None:
    import numpy as np
    from py3langid import modelio

    ptc, pc, classes, nextmove, row, output = modelio.load_model(model)
    np.save(folder / "ptc.npy", np.ascontiguousarray(ptc))
    np.save(folder / "pc.npy", np.asarray(pc))
    np.save(folder / "nextmove.npy", np.frombuffer(nextmove, dtype=_dtype(nextmove)))
    # py3langid keeps ``row << 8`` per state in a Python list (36 bytes an entry).
    rowbase = np.frombuffer(row, dtype=_dtype(row)).astype(np.uint32) << 8
    np.save(folder / "rowbase.npy", rowbase)
    np.save(folder / "output.npy", np.asarray(output, dtype=np.int32))
    (folder / "classes.json").write_text(json.dumps(classes))
    (folder / "done").write_text("")  # written last: a folder without it is incomplete


def _dtype(values: Any) -> Any:
    import numpy as np

    return np.dtype(f"u{values.itemsize}")


def _mapped(folder: Path) -> Any:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    def mapped(name: str) -> Any:
        return np.load(folder / name, mmap_mode="r")

    classes = json.loads((folder / "classes.json").read_text())
    identifier = LanguageIdentifier(
        mapped("ptc.npy"),
        np.load(folder / "pc.npy"),
        classes,
        memoryview(mapped("nextmove.npy")),  # indexed per byte: a memoryview gives ints
        memoryview(mapped("output.npy")),
        tk_row=(),
    )
    identifier._rowbase = memoryview(mapped("rowbase.npy"))
    return identifier
