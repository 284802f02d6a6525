#pragma once
// Memory planning: liveness analysis over a graph with static shapes, then buffer reuse in
// one arena. Every CPU value computed by a node into fresh memory (not a view, not an
// in-place write) gets a byte offset in the arena; two values share bytes only when their
// lifetimes do not overlap. A value's lifetime runs from the node that makes it to the last
// node reading it or anything aliasing it (views of it, in-place results written into it).
// Values that escape the call (graph outputs, .grad writes, and everything aliasing them)
// are left out of the arena: the caller keeps them after the next call reuses the arena.
#include <cstdint>
#include <string>
#include <vector>

#include "trace/graph.h"

namespace ember::trace {

struct MemoryPlan {
  static constexpr int64_t kAlignment = 64;  // bytes; every offset is a multiple
  std::vector<int64_t> offset;  // per value: byte offset in the arena, -1: not planned
  std::vector<int64_t> nbytes;  // per value: bytes (planned values only, else 0)
  int64_t arena_bytes = 0;      // the arena's size: the peak of live planned bytes (+ gaps)
  int64_t naive_bytes = 0;      // what one buffer per planned value would take

  bool planned(ValueId v) const { return offset[v] >= 0; }
  int64_t num_planned() const;
  // One line per planned value ("%9  f32[64, 256]  65536 B @ 0"), then the totals.
  std::string str(const Graph& g) const;
};

// `escaping`: values besides the graph outputs whose memory the caller keeps.
MemoryPlan plan_memory(const Graph& g, const std::vector<ValueId>& escaping = {});

}  // namespace ember::trace
