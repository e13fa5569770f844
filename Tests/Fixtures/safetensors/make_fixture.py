"""Writes python.safetensors with the reference `safetensors` package (pip install safetensors numpy).

The Swift test CollateDataTests/SafetensorsTests reads it and expects exactly these values.
"""
import numpy as np
from safetensors.numpy import save_file

save_file(
    {
        "input_ids": np.array([[5, 6, 7], [8, 0, 0]], dtype=np.int64),
        "labels": np.array([[5, 6, 7], [8, -100, -100]], dtype=np.int64),
        "cu_seq_lens_q": np.array([0, 3, 4], dtype=np.int32),
        "max_length_q": np.array(3, dtype=np.int32),
    },
    "python.safetensors",
    metadata={"source": "python safetensors"},
)
