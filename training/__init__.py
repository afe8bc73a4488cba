"""Fine-tuning with Accelerate: dataset loaders, the train loop, F1/EM evaluation."""
