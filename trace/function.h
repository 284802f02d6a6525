#pragma once
// trace::Function: wraps a callable, keeps compiled graphs keyed by call signature, and
// replays them. A new signature runs the callable eagerly on its first call (so state it
// creates lazily, like optimizer moments, exists before tracing) and traces it on the
// second; later calls replay the optimized graph. Every retrace is logged with its reason.
// The cache is bounded: past `max_cache_size` signatures, only the new signature runs
// eagerly (with a warning) and the cached ones stay fast.
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trace/differentiable_replay.h"
#include "trace/executor.h"
#include "trace/passes/pipeline.h"
#include "trace/shape_params.h"
#include "trace/signature.h"

namespace ember::trace {

class CudaGraphReplays;

struct FunctionOptions {
  size_t max_cache_size = 8;
  int warmup_calls = 1;                          // eager calls per signature before tracing
  std::vector<std::vector<int64_t>> dynamic_dims;  // per tensor argument: dims that may vary
  std::vector<std::string> arg_names;           // for retrace messages
  PassOptions passes;
  std::string name = "function";
  // Check mode: the first `check_calls` replays of each graph also run the callable eagerly
  // from the same state and raise on any difference (outputs and captured state). The
  // environment variable EMBER_FUNCTION_CHECK=N sets a default.
  int check_calls = -1;  // -1: from the environment (0 if unset)
  double check_rtol = 1e-5, check_atol = 1e-6;
  bool cuda_graph = false;  // on CUDA, replay through captured CUDA graphs (cuda_graph_replay.h)
};

class Function {
 public:
  using Fn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
  // Called with each warning (too many retraces, cache full); default prints to stderr.
  using WarnFn = std::function<void(const std::string&)>;

  Function(Fn fn, FunctionOptions options = {});
  std::vector<Tensor> operator()(const std::vector<Tensor>& args, const std::string& static_key = "");
  // The call when it replays the most recent signature (args and static_key match it, no
  // outer trace records); nullopt, having run nothing, otherwise. The Python front end's
  // fast path tries this first and takes its full path (operator()) on nullopt.
  std::optional<std::vector<Tensor>> try_replay(const std::vector<Tensor>& args,
                                                const std::string& static_key);

  // The compiled graph for these arguments (traces, running the callable, if needed).
  std::shared_ptr<const Graph> graph(const std::vector<Tensor>& args,
                                     const std::string& static_key = "");
  // The executor's memory plan for these arguments, as text (passes/memory_plan.h).
  std::string memory_plan(const std::vector<Tensor>& args, const std::string& static_key = "");
  // Saves the traced graph for these arguments with its weights (see serialize.h).
  void save(const std::string& path, const std::vector<Tensor>& args,
            const std::string& static_key = "");
  const std::vector<std::string>& retrace_log() const { return log_; }
  // Why signatures were not replayed as CUDA graphs (options.cuda_graph), one line each.
  const std::vector<std::string>& cuda_graph_log() const { return cuda_graph_log_; }
  size_t num_traces() const { return traces_; }
  size_t cache_size() const { return cache_.size(); }
  void set_warn(WarnFn w) { warn_ = std::move(w); }
  const FunctionOptions& options() const { return opts_; }

  struct Compiled {
    std::shared_ptr<const Graph> traced;     // as recorded
    std::shared_ptr<const Graph> optimized;  // after passes
    std::unique_ptr<Executor> executor;
    std::vector<std::string> pass_log;
    // Dynamic dims: the size traced at, how the graph depends on it, and executors for
    // the other sizes seen (specialized without running Python).
    int64_t traced_size = -1;
    std::optional<ShapeParams> params;
    std::map<int64_t, std::unique_ptr<Executor>> by_size;
    // Traced with grad mode on: replays that need gradients (differentiable_replay.h).
    std::shared_ptr<DifferentiableReplay> grad;
    std::shared_ptr<CudaGraphReplays> cuda_graphs;  // options.cuda_graph
  };

 private:
  struct Entry {
    CallSignature sig;
    int eager_calls = 0;
    int checked_calls = 0;
    std::shared_ptr<Compiled> compiled;
  };
  std::vector<Tensor> run_checked(Entry& e, const std::vector<Tensor>& args);
  // A call of a traced signature: check mode, gradients, CUDA graphs or the plain replay.
  std::vector<Tensor> replay(Entry& e, const std::vector<Tensor>& args);
  Entry* find(const CallSignature& sig);
  std::shared_ptr<Compiled> trace(const std::vector<Tensor>& args, std::vector<Tensor>* eager_outputs);
  // The common size of the dynamic dims in args, or -1 (none declared, or they differ).
  int64_t dynamic_size(const std::vector<Tensor>& args) const;
  // Traces again at another size (state restored afterwards) and fits the size dependence.
  void fit_dynamic(Compiled& c, const std::vector<Tensor>& args, int64_t size);
  Executor& executor_for(Entry& e, const std::vector<Tensor>& args);
  // A replay whose outputs must carry autograd history (differentiable_replay.h).
  std::vector<Tensor> run_differentiable(Entry& e, const std::vector<Tensor>& args);
  bool dynamic_unsupported_ = false;
  bool warned_grad_args_ = false;  // a fit failed: specialize signatures to sizes
  void note_retrace(const CallSignature& sig);

  Fn fn_;
  FunctionOptions opts_;
  std::list<Entry> cache_;  // most recently used first
  std::vector<std::string> log_;
  std::vector<std::string> cuda_graph_log_;
  size_t traces_ = 0;
  WarnFn warn_;
};

}  // namespace ember::trace
