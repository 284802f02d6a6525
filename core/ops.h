#pragma once
// All of Ember's ops as C++ functions (namespace ember). Each family has its own header
// under core/ops/; op classes are in the matching *_ops.h.
#include "core/ops/activation.h"
#include "core/ops/arithmetic.h"
#include "core/ops/comparison.h"
#include "core/ops/conv.h"
#include "core/ops/copy.h"
#include "core/ops/creation.h"
#include "core/ops/index.h"
#include "core/ops/linalg.h"
#include "core/ops/pool.h"
#include "core/ops/random.h"
#include "core/ops/reduce.h"
#include "core/ops/shape.h"
#include "core/ops/softmax.h"
#include "core/ops/sort.h"
#include "core/ops/unary.h"
#include "core/ops/view.h"
