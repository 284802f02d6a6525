#pragma once
// CUDA graph replay of traced functions (ember.function(fn, cuda_graph=True)).
//
// Per executor (one per signature), the first replay runs normally: it builds every cuDNN
// plan and NVRTC kernel, whose setup cannot be captured. The second copies its inputs into
// static input buffers, records the executor's replay on the device's stream into a CUDA
// graph (core/device_backend.h: CudaGraphCapture) and launches it. Later calls copy their
// inputs into the static buffers, launch the graph, and return copies of the static outputs,
// so one call's results are not overwritten by the next. A .grad the function assigns is the
// graph's static gradient tensor, refreshed by each launch.
//
// Graphs that would replay stale values are not captured and replay normally, with one log
// line per signature saying why (cuda_graph_ineligibility). 0-dim CPU captures reach the
// kernels as parameters recorded at capture: a call that finds one changed captures again.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trace/executor.h"

namespace ember {
class CudaGraphCapture;
}

namespace ember::trace {

// Why `g` with these inputs must not be captured, or "" when it may be: a random op (a graph
// would repeat its draws), an op that runs through the host or reads a device value back
// (`runs_through_host`; it synchronizes), a CPU tensor among the inputs (even 0-dim: its value would be baked into the
// recorded kernel parameters), a CPU capture or constant with a shape, a CPU value with a
// shape, a device value read back to the host, a CPU scalar updated in place, values on more
// than one device, an in-place write into an argument, or no CUDA value at all. 0-dim CPU
// captures (a learning rate) are allowed: CudaGraphReplays captures again when one changes.
std::string cuda_graph_ineligibility(const Graph& g, std::span<const Tensor> inputs,
                                     const std::function<bool(std::string_view)>& runs_through_host);

// The graph replays of one Function, each tied to the executor it records.
class CudaGraphReplays {
 public:
  CudaGraphReplays();
  ~CudaGraphReplays();
  // Runs `ex` on `inputs`, through a CUDA graph where it can; a line explaining a signature
  // that is not captured (or whose capture failed) goes to `log` once.
  std::vector<Tensor> run(const Executor& ex, std::span<const Tensor> inputs,
                          std::vector<std::string>& log);
  size_t num_captured() const;

 private:
  struct Replay;
  std::vector<Tensor> capture(Replay& r, const Executor& ex, std::span<const Tensor> inputs,
                              std::vector<std::string>& log);
  std::vector<Tensor> launch(Replay& r, const Executor& ex, std::span<const Tensor> inputs);

  std::mutex mu_;
  std::map<const Executor*, std::unique_ptr<Replay>> replays_;
};

// The Function hook: creates `slot` on first use.
std::vector<Tensor> run_with_cuda_graph(std::shared_ptr<CudaGraphReplays>& slot, const Executor& ex,
                                        std::span<const Tensor> inputs,
                                        std::vector<std::string>& log);

}  // namespace ember::trace
