"""The answer engine: the one prompt builder, ONNX and PyTorch engines, export, benchmarks."""
