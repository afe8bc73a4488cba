"""Latency of PyTorch fp32, ONNX fp32 and ONNX int8 on the base-sized LongT5, in one run."""

from __future__ import annotations

import gc
import shutil
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

from model.engine import load_engine
from model.export import export, quantize_dir
from model.factory import build_base
from model.parity import sample_ids

BACKENDS = ("torch-fp32", "onnx-fp32", "onnx-int8")


def prepare_models(workdir: Path, progress: Callable[[str], None]) -> dict[str, Path]:
    """Build the base-sized model and its ONNX exports once; later runs reuse them."""
    pytorch, fp32, int8 = (
        workdir / "base-pytorch",
        workdir / "base-onnx-fp32",
        workdir / "base-onnx-int8",
    )
    if not (pytorch / "config.json").exists():
        progress(f"building the base-sized model in {pytorch}")
        shutil.rmtree(pytorch, ignore_errors=True)
        build_base(pytorch)
    if not (fp32 / "askblog_export.json").exists():
        shutil.rmtree(fp32, ignore_errors=True)
        export(pytorch, fp32, progress=progress)
    if not (int8 / "encoder_model.onnx").exists():
        staging = workdir / "base-onnx-int8.partial"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(fp32, staging)
        quantize_dir(staging, progress)
        staging.rename(int8)
    return {"torch-fp32": pytorch, "onnx-fp32": fp32, "onnx-int8": int8}


def measure(
    paths: dict[str, Path],
    *,
    lengths: Sequence[int] = (1024, 4096),
    new_tokens: int = 32,
    threads: int = 2,
    repeats: int = 3,
    progress: Callable[[str], None] = print,
) -> list[dict]:
    """Time greedy generation of exactly NEW_TOKENS tokens at each input length, per backend.

    PATHS maps each backend name in BACKENDS to its model directory.
    """
    rows = []
    for backend in BACKENDS:
        engine = load_engine(
            str(paths[backend]),
            backend="torch" if backend.startswith("torch") else "onnx",
            threads=threads,
            max_input_tokens=max(lengths),
        )
        for length in lengths:
            ids = sample_ids(engine.tokenizer, length, seed=length)
            engine.generate(ids, max_new_tokens=2, min_new_tokens=2)  # warm-up, not timed
            times = []
            for i in range(repeats):
                result = engine.generate(ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens)
                if len(result.token_ids) != new_tokens:
                    raise RuntimeError(
                        f"{backend} generated {len(result.token_ids)} tokens, not {new_tokens}"
                    )
                times.append(result.seconds)
                progress(f"{backend} {length} tokens run {i + 1}/{repeats}: {result.seconds:.2f} s")
            rows.append(
                {
                    "backend": backend,
                    "input_tokens": length,
                    "new_tokens": new_tokens,
                    "median_s": round(statistics.median(times), 3),
                }
            )
        del engine
        gc.collect()
    return rows


def table(rows: list[dict]) -> str:
    """Format rows as a Markdown table with each backend's speed-up over PyTorch fp32."""
    base = {r["input_tokens"]: r["median_s"] for r in rows if r["backend"] == "torch-fp32"}
    lines = [
        "| backend | input tokens | new tokens | median s | speed-up vs torch-fp32 |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: (r["input_tokens"], BACKENDS.index(r["backend"]))):
        ref = base.get(r["input_tokens"])
        ratio = f"{ref / r['median_s']:.2f}x" if ref and r["median_s"] else "n/a"
        lines.append(
            f"| {r['backend']} | {r['input_tokens']} | {r['new_tokens']} | "
            f"{r['median_s']:.2f} | {ratio} |"
        )
    return "\n".join(lines)
