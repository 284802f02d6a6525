#pragma once
// (family header: see docs/dev/adding_an_op.md)
#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {}  // namespace ember
