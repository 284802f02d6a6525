"""torch.backends under its PyTorch name: the switches scripts set for speed or
reproducibility (cudnn.benchmark, cudnn.deterministic, cuda.matmul.allow_tf32, ...). Ember
records them; its kernels are deterministic and compute float32 in float32 whatever they say.
mps.is_available() is False."""

import types

cudnn = types.SimpleNamespace(enabled=True, benchmark=False, deterministic=False,
                              allow_tf32=True, is_available=lambda: False,
                              version=lambda: None)
cuda = types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=False,
                                                          allow_fp16_reduced_precision_reduction=True,
                                                          allow_bf16_reduced_precision_reduction=True),
                             is_built=lambda: True)
mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
mkldnn = types.SimpleNamespace(enabled=True, is_available=lambda: False)
openmp = types.SimpleNamespace(is_available=lambda: True)
