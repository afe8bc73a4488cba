from __future__ import annotations

import shutil

from model.bench import BACKENDS, measure, table
from model.export import quantize_dir


def test_measure_runs_every_backend_at_every_length(tmp_path, tiny_model_dir, tiny_onnx_dir):
    int8 = tmp_path / "int8"
    shutil.copytree(tiny_onnx_dir, int8)
    quantize_dir(int8, progress=lambda _: None)
    paths = {"torch-fp32": tiny_model_dir, "onnx-fp32": tiny_onnx_dir, "onnx-int8": int8}
    rows = measure(
        paths, lengths=[20, 60], new_tokens=4, threads=1, repeats=1, progress=lambda _: None
    )
    assert [(r["backend"], r["input_tokens"]) for r in rows] == [
        (b, n) for b in BACKENDS for n in (20, 60)
    ]
    assert all(r["new_tokens"] == 4 and r["median_s"] > 0 for r in rows)
    text = table(rows)
    assert "| torch-fp32 | 20 | 4 |" in text and "1.00x" in text


def test_table_reports_speed_up_against_torch():
    rows = [
        {"backend": "torch-fp32", "input_tokens": 4096, "new_tokens": 32, "median_s": 10.0},
        {"backend": "onnx-int8", "input_tokens": 4096, "new_tokens": 32, "median_s": 4.0},
    ]
    assert "| onnx-int8 | 4096 | 32 | 4.00 | 2.50x |" in table(rows)
