// Elementwise fusion: placeholder pass that leaves the graph unchanged until the fused
// tiled-loop op lands (see trace/fused_elementwise.h).
#include "trace/passes/pipeline.h"

namespace ember::trace {

int fuse_elementwise(Graph& g, const std::vector<ValueId>& keep) { return 0; }

}  // namespace ember::trace
