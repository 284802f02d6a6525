#pragma once
// The references autograd history holds on tensors: the tracer tells tensors kept by user
// code (state, such as optimizer moments made during a traced call) from tensors kept only
// because a backward may still read them, by counting the second kind exactly.
#include <absl/container/flat_hash_map.h>

#include <vector>

#include "core/tensor.h"

namespace ember::trace {

// Per tensor, how many handles the autograd nodes reachable from the roots' grad_fn hold
// (saved inputs and outputs, each node counted once).
absl::flat_hash_map<const TensorImpl*, int64_t> autograd_references(
    const std::vector<Tensor>& roots);

}  // namespace ember::trace
