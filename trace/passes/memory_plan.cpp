#include "trace/passes/memory_plan.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace ember::trace {
namespace {

int64_t align_up(int64_t n) {
  return (n + MemoryPlan::kAlignment - 1) / MemoryPlan::kAlignment * MemoryPlan::kAlignment;
}

// Free byte ranges of the arena, merged when adjacent; best-fit allocation.
class ArenaAllocator {
 public:
  int64_t allocate(int64_t n) {
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->second >= n && (best == free_.end() || it->second < best->second)) best = it;
    }
    if (best == free_.end()) {
      // Grow the arena; a free block at its end is extended rather than skipped.
      if (!free_.empty()) {
        auto last = std::prev(free_.end());
        if (last->first + last->second == end_) {
          const int64_t at = last->first;
          end_ = at + n;
          free_.erase(last);
          return at;
        }
      }
      const int64_t at = end_;
      end_ += n;
      return at;
    }
    const int64_t at = best->first, size = best->second;
    free_.erase(best);
    if (size > n) free_[at + n] = size - n;
    return at;
  }
  void release(int64_t at, int64_t n) {
    auto [it, inserted] = free_.emplace(at, n);
    auto next = std::next(it);
    if (next != free_.end() && at + n == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
    if (it != free_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == at) {
        prev->second += it->second;
        free_.erase(it);
      }
    }
  }
  int64_t end() const { return end_; }

 private:
  std::map<int64_t, int64_t> free_;  // offset -> size
  int64_t end_ = 0;
};

}  // namespace

int64_t MemoryPlan::num_planned() const {
  return std::count_if(offset.begin(), offset.end(), [](int64_t o) { return o >= 0; });
}

std::string MemoryPlan::str(const Graph& g) const {
  std::string s;
  for (size_t v = 0; v < offset.size(); ++v) {
    if (offset[v] < 0) continue;
    s += fmt::format("%{}  {}  {} B @ {}\n", v, meta_str(g.value(static_cast<ValueId>(v)).meta),
                     nbytes[v], offset[v]);
  }
  s += fmt::format("arena {} B for {} values ({} B without reuse)", arena_bytes, num_planned(),
                   naive_bytes);
  return s;
}

MemoryPlan plan_memory(const Graph& g, const std::vector<ValueId>& escaping) {
  const size_t nv = g.values().size();
  const auto& nodes = g.nodes();
  // Alias groups: a view or an in-place result shares its first input's memory.
  std::vector<ValueId> root(nv);
  for (size_t v = 0; v < nv; ++v) root[v] = static_cast<ValueId>(v);
  auto find = [&](ValueId v) {
    while (root[v] != v) v = root[v] = root[root[v]];
    return v;
  };
  for (const Node& n : nodes) {
    if (n.op->kind() == OpKind::View || n.inplace) {
      for (ValueId o : n.outputs) root[find(o)] = find(n.inputs[0]);
    }
  }
  // Only buffers a node allocates are candidates; the group's root is that value.
  std::vector<bool> candidate(nv, false);
  std::vector<int> defined_at(nv, -1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.inplace || n.op->kind() == OpKind::View) continue;
    for (ValueId o : n.outputs) {
      const TensorMeta& m = g.value(o).meta;
      candidate[o] = m.device.is_cpu() && find(o) == o;
      defined_at[o] = static_cast<int>(i);
    }
  }
  std::vector<bool> escapes(nv, false);
  for (ValueId v : g.outputs()) escapes[find(v)] = true;
  for (ValueId v : escaping) escapes[find(v)] = true;
  // Last node touching any member of each group.
  std::vector<int> last_use(nv, -1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (ValueId v : nodes[i].inputs) last_use[find(v)] = static_cast<int>(i);
    for (ValueId v : nodes[i].outputs) last_use[find(v)] = std::max(last_use[find(v)], static_cast<int>(i));
  }

  MemoryPlan plan;
  plan.offset.assign(nv, -1);
  plan.nbytes.assign(nv, 0);
  std::vector<std::vector<ValueId>> dies_at(nodes.size());
  ArenaAllocator arena;
  for (size_t i = 0; i < nodes.size(); ++i) {
    // Outputs are placed before this node's dead inputs are released: a kernel may not
    // write over an operand it is still reading.
    for (ValueId o : nodes[i].outputs) {
      if (!candidate[o] || escapes[o] || defined_at[o] != static_cast<int>(i)) continue;
      const TensorMeta& m = g.value(o).meta;
      int64_t numel = 1;
      for (int64_t d : m.shape) numel *= d;
      const int64_t bytes = align_up(std::max<int64_t>(1, numel * itemsize(m.dtype)));
      plan.offset[o] = arena.allocate(bytes);
      plan.nbytes[o] = bytes;
      plan.naive_bytes += bytes;
      dies_at[std::max(last_use[o], static_cast<int>(i))].push_back(o);
    }
    for (ValueId v : dies_at[i]) arena.release(plan.offset[v], plan.nbytes[v]);
  }
  plan.arena_bytes = arena.end();
  return plan;
}

}  // namespace ember::trace
