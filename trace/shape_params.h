#pragma once
// Dynamic dimensions. Python code bakes sizes into a trace (`x.view(64, -1)`, the count a
// mean divides by, the shape autograd expands a gradient to), so a graph traced at batch 64
// is not, as recorded, valid at batch 30. Ember traces twice, at two sizes of the dynamic
// dimension, and compares: if the graphs have the same structure and every difference
// (integer attributes, scalar constants, value shapes) is an integer linear function of
// the size, the pair defines a parametric graph, specialized to any other size without
// running Python again. Otherwise the graph stays specialized to the traced size.
#include <optional>
#include <string>
#include <vector>

#include "trace/graph.h"

namespace ember::trace {

struct LinearInt {
  int64_t a = 0, c = 0;  // value = a * size + c
  int64_t at(int64_t size) const { return a * size + c; }
};

struct ShapeParams {
  struct Attr {
    int node;
    std::string name;
    int element;  // index in an int list, -1 for a scalar attribute
    LinearInt f;
  };
  struct Constant {
    size_t index;
    LinearInt f;
  };
  struct Dim {
    ValueId value;
    size_t dim;
    LinearInt f;
  };
  std::vector<Attr> attrs;
  std::vector<Constant> constants;
  std::vector<Dim> dims;
};

// Fits g1 (traced at size1) against g2 (traced at size2). On failure, *why says what
// differed (for the retrace log).
std::optional<ShapeParams> fit_shape_params(const Graph& g1, int64_t size1, const Graph& g2,
                                            int64_t size2, std::string* why);

// g (traced at the size the params were fitted from) re-specialized to `size`.
Graph specialize(const Graph& g, const ShapeParams& params, int64_t size);

}  // namespace ember::trace
