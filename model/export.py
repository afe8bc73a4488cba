"""Export a PyTorch LongT5/T5 checkpoint to ONNX, optionally optimized and int8-quantized.

The output directory holds the encoder and the merged decoder (one graph for
the first step and the cached steps), the config and the tokenizer. Before
anything is written to OUT, the fp32 graphs are checked against PyTorch on
sample inputs; a disagreement fails the export.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from model.engine import load_engine
from model.parity import ENCODER_ATOL, Parity, compare, sample_ids
from model.source import (
    ONNX_DECODER,
    ONNX_DECODER_MERGED,
    ONNX_DECODER_WITH_PAST,
    ModelLoadError,
    resolve,
)

OPTIMIZATION_LEVELS = ("O1", "O2")  # O3/O4 fuse in ways that are not safe for LongT5 on CPU
METADATA_FILE = "askblog_export.json"
TASK = "text2text-generation-with-past"


class ExportError(Exception):
    """The export failed or produced a model that disagrees with PyTorch."""


@dataclass
class ExportReport:
    """What an export did and how close the result is to PyTorch."""

    source: str
    optimize: str | None
    quantized: bool
    files: list[str] = field(default_factory=list)
    parity: list[dict] = field(default_factory=list)
    int8_parity: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def _parity_lengths(block: int | None) -> list[int]:
    # One input shorter than a global block (the case ONNX graphs get wrong)
    # and one spanning several local and global blocks.
    short = max(2, (block or 16) // 2)
    return [short, 600]


def _check(reference, candidate, lengths: list[int]) -> list[Parity]:
    return [
        compare(reference, candidate, sample_ids(reference.tokenizer, n, seed=n)) for n in lengths
    ]


def _describe(result: Parity) -> dict:
    return {
        "input_tokens": result.input_tokens,
        "encoder_max_diff": result.encoder_max_diff,
        "same_tokens": result.same_tokens,
    }


@contextmanager
def _quiet_root_logger():
    # onnxruntime's quantizer logs every tensor it cannot type on the root
    # logger, a screenful per file; the export reports its own progress.
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def quantize_dir(path: Path, progress: Callable[[str], None]) -> list[str]:
    """Quantize every ONNX file in PATH to int8 (dynamic, int8 weights), in place."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = sorted(p.name for p in path.glob("*.onnx"))
    for i, name in enumerate(names, 1):
        progress(f"quantizing {name} to int8 ({i}/{len(names)})")
        target = path / f"{name}.int8"
        with _quiet_root_logger():
            quantize_dynamic(
                path / name,
                target,
                weight_type=QuantType.QInt8,
                per_channel=False,
                # Fused O2 operators (com.microsoft domain) defeat shape inference;
                # their outputs are float, which is what this tells the quantizer.
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        data = path / f"{name}_data"
        if data.exists():
            data.unlink()
        target.replace(path / name)
    return names


def export(
    src: str | Path,
    out: str | Path,
    *,
    optimize: str | None = None,
    quantize: bool = False,
    threads: int | None = None,
    progress: Callable[[str], None] = print,
) -> ExportReport:
    """Export SRC to OUT (encoder + merged decoder), check it against PyTorch, maybe quantize."""
    started = time.perf_counter()
    if optimize is not None and optimize not in OPTIMIZATION_LEVELS:
        raise ExportError(
            f"Optimization level {optimize} is not supported: use O1 or O2 "
            "(higher levels are not safe for LongT5 on CPU)."
        )
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists and is not empty: choose a new directory.")
    source = resolve(src)
    if source.format != "pytorch":
        raise ExportError(f"{source.path} is not a PyTorch checkpoint: there is nothing to export.")

    from optimum.exporters.onnx import main_export

    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        level = f" with {optimize} graph optimization" if optimize else ""
        progress(f"exporting {source.path} to ONNX{level}")
        main_export(
            str(source.path),
            work,
            task=TASK,
            optimize=optimize,
            do_validation=False,
            local_files_only=True,
        )
        for name in (ONNX_DECODER, ONNX_DECODER_WITH_PAST):
            for redundant in (work / name, work / f"{name}_data"):
                if (work / ONNX_DECODER_MERGED).exists() and redundant.exists():
                    redundant.unlink()
        report = ExportReport(source=str(source.path), optimize=optimize, quantized=quantize)
        lengths = _parity_lengths(source.global_block_size)
        progress(f"checking ONNX against PyTorch at {lengths} input tokens")
        reference = load_engine(str(source.path), backend="torch", threads=threads)
        candidate = load_engine(str(work), backend="onnx", threads=threads)
        results = _check(reference, candidate, lengths)
        report.parity = [_describe(r) for r in results]
        for r in results:
            progress(
                f"  {r.input_tokens} tokens: encoder max |diff| {r.encoder_max_diff:.2e}, "
                f"generated tokens {'identical' if r.same_tokens else 'DIFFERENT'}"
            )
        bad = [r for r in results if not r.agrees()]
        if bad:
            raise ExportError(
                f"The ONNX export disagrees with PyTorch at {bad[0].input_tokens} input tokens "
                f"(encoder max |diff| {bad[0].encoder_max_diff:.2e}, tolerance {ENCODER_ATOL:g}; "
                f"generated tokens {'identical' if bad[0].same_tokens else 'different'}): "
                "nothing was written."
            )
        if quantize:
            quantize_dir(work, progress)
            int8 = load_engine(str(work), backend="onnx", threads=threads)
            report.int8_parity = [_describe(r) for r in _check(reference, int8, lengths)]
            for r in report.int8_parity:
                progress(
                    f"  int8, {r['input_tokens']} tokens: encoder max |diff| "
                    f"{r['encoder_max_diff']:.2e} (int8 rounding; not a failure)"
                )
            if not all(r["encoder_max_diff"] < float("inf") for r in report.int8_parity):
                raise ExportError(
                    "The int8 model produced non-finite outputs: nothing was written."
                )
        report.files = sorted(p.name for p in work.iterdir())
        report.seconds = round(time.perf_counter() - started, 1)
        (work / METADATA_FILE).write_text(json.dumps(asdict(report), indent=2) + "\n")
        if out.exists():
            out.rmdir()
        work.rename(out)
        umask = os.umask(0)
        os.umask(umask)
        out.chmod(0o777 & ~umask)  # mkdtemp made it private
        progress(f"wrote {out} in {report.seconds:.0f} s")
        return report
    except ModelLoadError as error:
        raise ExportError(f"The exported model could not be loaded: {error}") from error
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
