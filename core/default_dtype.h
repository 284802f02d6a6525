#pragma once
// The process-wide default floating dtype, PyTorch's torch.set_default_dtype: float32 at
// start. It is what a floating tensor gets when nothing names its dtype:
//   - factories without dtype=: empty, zeros, ones, full with a float value, rand, randn,
//     normal, uniform, eye, arange/linspace/logspace with floating bounds;
//   - tensor()/as_tensor() of Python floats and nested lists (NumPy arrays keep theirs);
//   - int tensor op Python float (int_t * 2.5) and int -> float ops (sqrt of an int tensor);
//   - nn layer parameters (Linear, Conv, norms, Embedding, RNNs, attention).
// The setting is one atomic for the whole process, not per thread (as in PyTorch): set it
// once at start-up, before building models, rather than from concurrent threads.
// Ops record the resolved dtype, so a traced or saved graph does not change when the
// default changes later.
#include "core/dtype.h"

namespace ember {

// The current default floating dtype.
DType default_dtype();

// Sets the default floating dtype; only float16, bfloat16, float32 and float64 are allowed,
// anything else raises "[set_default_dtype] ..." and leaves the default unchanged.
void set_default_dtype(DType d);

}  // namespace ember
