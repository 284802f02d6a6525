#include "trace/cuda_graph_replay.h"

#include <fmt/format.h>

#include <cstring>

#include "core/device_backend.h"
#include "core/error.h"
#include "eager/autograd.h"

namespace ember::trace {
namespace {

bool on_host(const TensorMeta& m) { return m.device.is_cpu(); }

// Values that are arguments or views of them: a kernel writing into one in place would
// write into the static input buffer, not into the caller's tensor.
std::vector<bool> argument_views(const Graph& g) {
  std::vector<bool> arg(g.values().size(), false);
  for (ValueId v : g.inputs()) arg[size_t(v)] = true;
  for (const Node& n : g.nodes()) {
    const bool view_of_arg = !n.inputs.empty() && arg[size_t(n.inputs[0])] &&
                             (n.op->kind() == OpKind::View || n.inplace);
    for (ValueId o : n.outputs) arg[size_t(o)] = view_of_arg;
  }
  return arg;
}

std::string value_name(const Graph& g, ValueId v) {
  const std::string& n = g.value(v).name;
  return n.empty() ? fmt::format("%{}", v) : n;
}

}  // namespace

std::string cuda_graph_ineligibility(const Graph& g, std::span<const Tensor> inputs,
                                     const std::function<bool(std::string_view)>& runs_through_host) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].defined() && inputs[i].device().is_cpu()) {
      return fmt::format("argument {} is a CPU tensor (its value would be baked into the graph)", i);
    }
  }
  for (const Node& n : g.nodes()) {
    if (!n.op->is_deterministic()) {
      return fmt::format("it has a random op ({}): a graph would repeat its draws", n.op->name());
    }
  }
  for (const Node& n : g.nodes()) {
    if (runs_through_host(n.op->name())) {
      return fmt::format("{} runs through the host or reads a device value back on CUDA (it "
                         "synchronizes)", n.op->name());
    }
  }
  for (size_t i = 0; i < g.captures().size(); ++i) {
    const Tensor& t = g.captures()[i];
    if (t.defined() && t.device().is_cpu() && t.dim() > 0) {
      return fmt::format("the captured tensor {} is on the CPU (its values would be baked into "
                         "the graph)", value_name(g, g.capture_values()[i]));
    }
  }
  for (const Tensor& t : g.constants()) {
    if (t.defined() && t.device().is_cpu() && t.dim() > 0) {
      return "a constant with more than one element is on the CPU (it would be copied through "
             "a staging buffer)";
    }
  }
  // Host scalars (0-dim CPU captures, constants and what the step computes from them, such
  // as an optimizer's -lr) reach the kernels as parameters: recorded with their values at
  // capture, which CudaGraphReplays watches. Reading device values back, larger CPU values
  // or CPU values updated in place would not replay.
  for (const Node& n : g.nodes()) {
    bool device_in = false;
    for (ValueId v : n.inputs) device_in |= !on_host(g.value(v).meta);
    for (ValueId o : n.outputs) {
      const TensorMeta& m = g.value(o).meta;
      if (!on_host(m)) continue;
      if (device_in) {
        return fmt::format("{} reads a device value back to the host (it synchronizes)",
                           n.op->name());
      }
      if (!m.shape.empty()) {
        return fmt::format("{} computes a value on the CPU (shape {})", n.op->name(),
                           shape_str(m.shape));
      }
      if (n.inplace) {
        return fmt::format("{} updates a CPU scalar in place (a replay would not)", n.op->name());
      }
    }
  }
  std::optional<Device> device;
  for (const Value& v : g.values()) {
    if (on_host(v.meta)) continue;
    if (device && *device != v.meta.device) {
      return fmt::format("it uses two devices ({} and {})", device->str(), v.meta.device.str());
    }
    device = v.meta.device;
  }
  if (!device) return "it has no CUDA tensor (nothing to capture)";
  const std::vector<bool> arg = argument_views(g);
  for (const Node& n : g.nodes()) {
    if (n.inplace && arg[size_t(n.inputs[0])]) {
      return fmt::format("{} writes into an argument in place (the graph writes into its static "
                         "copy)", n.op->name());
    }
  }
  return "";
}

struct CudaGraphReplays::Replay {
  enum class State { Warmup, Ready, Captured, Plain };
  State state = State::Warmup;
  Device device = kCPU;
  std::unique_ptr<CudaGraphCapture> graph;
  std::vector<Tensor> static_inputs, static_outputs;
  std::vector<std::pair<Tensor, Tensor>> grads;  // (leaf, the graph's static gradient)
  // 0-dim CPU captures (a learning rate) with their bytes at capture: the graph holds their
  // values as kernel parameters, so a change means capturing again.
  std::vector<std::pair<Tensor, uint64_t>> host_scalars;
  int recaptures = 0;
};

namespace {

constexpr int kMaxRecaptures = 4;  // then the scalar changes every few calls: replay op by op

uint64_t scalar_bits(const Tensor& t) {
  uint64_t bits = 0;
  std::memcpy(&bits, t.data_ptr(), static_cast<size_t>(t.element_size()));
  return bits;
}

// The first watched host scalar whose value changed since the capture, or nullptr.
const Tensor* changed_scalar(const std::vector<std::pair<Tensor, uint64_t>>& watched) {
  for (const auto& [t, bits] : watched) {
    if (scalar_bits(t) != bits) return &t;
  }
  return nullptr;
}

}  // namespace

CudaGraphReplays::CudaGraphReplays() = default;
CudaGraphReplays::~CudaGraphReplays() = default;

size_t CudaGraphReplays::num_captured() const {
  size_t n = 0;
  for (const auto& [ex, r] : replays_) n += r->state == Replay::State::Captured ? 1 : 0;
  return n;
}

std::vector<Tensor> CudaGraphReplays::run(const Executor& ex, std::span<const Tensor> inputs,
                                          std::vector<std::string>& log) {
  Replay* r = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = replays_[&ex];
    if (!slot) slot = std::make_unique<Replay>();
    r = slot.get();
  }
  using State = Replay::State;
  switch (r->state) {
    case State::Plain:
      return ex.run(inputs);
    case State::Warmup: {
      // Loads the backend only for graphs that get past the argument checks.
      auto through_host = [](std::string_view op) {
        CudaBackend* backend = cuda_backend();
        return backend != nullptr && backend->runs_through_host(op);
      };
      std::string why = cuda_graph_ineligibility(ex.graph(), inputs, through_host);
      if (why.empty() && cuda_backend() == nullptr) why = "the CUDA backend is not loaded";
      if (!why.empty()) {
        r->state = State::Plain;
        log.push_back(fmt::format("cuda_graph: not captured, replaying op by op, because {}", why));
      } else {
        r->state = State::Ready;  // this replay builds cuDNN plans and NVRTC kernels
      }
      return ex.run(inputs);
    }
    case State::Ready:
      return capture(*r, ex, inputs, log);
    case State::Captured:
      break;
  }
  if (changed_scalar(r->host_scalars) != nullptr) {
    *r = Replay{.recaptures = r->recaptures + 1};
    if (r->recaptures > kMaxRecaptures) {
      r->state = State::Plain;
      log.push_back("cuda_graph: no longer captured, replaying op by op, because a CPU scalar "
                    "the step reads (such as a learning rate) keeps changing between calls");
      return ex.run(inputs);
    }
    return capture(*r, ex, inputs, log);  // the scalar's new value goes into a new graph
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& s = r->static_inputs[i];
    if (s.defined() != inputs[i].defined() ||
        (s.defined() && (s.shape() != inputs[i].shape() || s.dtype() != inputs[i].dtype() ||
                         s.device() != inputs[i].device()))) {
      return ex.run(inputs);  // not this graph's layout (cannot happen within one signature)
    }
  }
  return launch(*r, ex, inputs);
}

std::vector<Tensor> CudaGraphReplays::capture(Replay& r, const Executor& ex,
                                              std::span<const Tensor> inputs,
                                              std::vector<std::string>& log) {
  const Graph& g = ex.graph();
  for (const Value& v : g.values()) {
    if (!v.meta.device.is_cpu()) r.device = v.meta.device;
  }
  CudaBackend& backend = cuda_backend_checked("function");
  for (const Tensor& t : inputs) {
    r.static_inputs.push_back(t.defined() ? Tensor::empty(t.shape(), t.dtype(), t.device())
                                          : Tensor());
  }
  auto give_up = [&](const std::string& why) {
    r.state = Replay::State::Plain;
    r.static_inputs.clear();
    log.push_back(fmt::format("cuda_graph: capture failed, replaying op by op, because {}", why));
    return ex.run(inputs);  // the capture ran nothing; this call's results come from here
  };
  std::unique_ptr<CudaGraphCapture> cap = backend.begin_graph_capture(r.device.index);
  std::vector<Tensor> outs;
  try {
    outs = ex.run(r.static_inputs);
  } catch (const std::exception& e) {
    cap->abort_capture();
    return give_up(e.what());
  }
  const std::string why = cap->end_capture();
  if (!why.empty()) return give_up(why);
  r.graph = std::move(cap);
  r.static_outputs = std::move(outs);
  for (const auto& [leaf, grad] : ex.effects().grad_writes) {
    for (size_t i = 0; i < g.captures().size(); ++i) {
      if (g.capture_values()[i] != leaf) continue;
      r.grads.emplace_back(g.captures()[i], grad_of(g.captures()[i]));
    }
  }
  for (const Tensor& t : g.captures()) {
    if (t.defined() && t.device().is_cpu()) r.host_scalars.emplace_back(t, scalar_bits(t));
  }
  r.state = Replay::State::Captured;
  return launch(r, ex, inputs);
}

std::vector<Tensor> CudaGraphReplays::launch(Replay& r, const Executor&,
                                             std::span<const Tensor> inputs) {
  CudaBackend& backend = *cuda_backend();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].defined()) backend.copy(r.static_inputs[i], inputs[i]);
  }
  r.graph->launch();
  for (const auto& [leaf, grad] : r.grads) set_grad(leaf, grad);
  std::vector<Tensor> outs;
  for (const Tensor& s : r.static_outputs) {
    if (!s.defined()) {
      outs.emplace_back();
      continue;
    }
    Tensor o = Tensor::empty(s.shape(), s.dtype(), s.device());
    backend.copy(o, s);
    outs.push_back(std::move(o));
  }
  return outs;
}

std::vector<Tensor> run_with_cuda_graph(std::shared_ptr<CudaGraphReplays>& slot, const Executor& ex,
                                        std::span<const Tensor> inputs,
                                        std::vector<std::string>& log) {
  if (!slot) slot = std::make_shared<CudaGraphReplays>();
  return slot->run(ex, inputs, log);
}

}  // namespace ember::trace
