#pragma once
// Naming a graph value for the user in error messages ("argument 0 ('x')", "captured
// tensor '0.weight'", "output 1 of the traced function", "a view of ..."), and finding the
// value whose storage a value aliases (through views and in-place writes).
#include <span>
#include <string>

#include "trace/graph.h"

namespace ember::trace {

// The value whose storage v shares: follows view ops and in-place writes to their input 0.
ValueId storage_root(const Graph& g, ValueId v);

// What v is, for messages. `user_outputs`: the traced function's outputs in g (named
// "output i of the traced function" when v is one of them or aliases one).
std::string describe_value(const Graph& g, ValueId v, std::span<const ValueId> user_outputs = {});

}  // namespace ember::trace
