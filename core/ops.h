#pragma once
// All of Ember's ops as C++ functions (namespace ember). Each family has its own header
// under core/ops/; op classes are in the matching *_ops.h.
#include "core/ops/arithmetic.h"
#include "core/ops/copy.h"
#include "core/ops/creation.h"
#include "core/ops/reduce.h"
#include "core/ops/unary.h"
#include "core/ops/view.h"
