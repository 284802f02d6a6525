// Which traced graphs ember.function(cuda_graph=True) captures (trace/cuda_graph_replay.h),
// and that on CPU tensors the option replays normally, saying why once. The decision is a
// pure function of the graph; CUDA graphs are examined here through their metadata (a CPU
// trace whose values are re-tagged as CUDA), so no GPU is needed.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/ops/random.h"
#include "core/ops/sort.h"
#include "trace/cuda_graph_replay.h"
#include "trace/function.h"

namespace ember::trace {
namespace {

const Device kCuda0(DeviceType::CUDA, 0);

bool never_host(std::string_view) { return false; }

// The traced graph of fn on x, with every value moved (in metadata) to `d`.
Graph traced_on(Function::Fn fn, const Tensor& x, Device d) {
  Function f(std::move(fn), FunctionOptions{.warmup_calls = 0});
  Graph g = *f.graph({x});
  for (Value& v : g.mutable_values()) v.meta.device = d;
  return g;
}

std::string why(const Graph& g, std::function<bool(std::string_view)> host = never_host) {
  const Tensor none[] = {Tensor()};  // metadata only: no argument tensor to look at
  return cuda_graph_ineligibility(g, none, host);
}

TEST(CudaGraphEligibility, PlainDeviceGraphIsCaptured) {
  Graph g = traced_on([](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{exp(add(mul(a[0], a[0]), 1.5))};
  }, full({4, 3}, 2.0), kCuda0);
  EXPECT_EQ(why(g), "");
}

TEST(CudaGraphEligibility, RandomOpsAreNotCaptured) {
  Graph g = traced_on([](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{add(a[0], randn_like(a[0]))};
  }, full({8}, 1.0), kCuda0);
  EXPECT_NE(why(g).find("random op"), std::string::npos) << why(g);
}

TEST(CudaGraphEligibility, HostPathOpsAreNotCaptured) {
  Graph g = traced_on([](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sort(a[0]).values};
  }, full({8}, 1.0), kCuda0);
  EXPECT_EQ(why(g), "");
  auto sort_on_host = [](std::string_view op) { return op == "sort"; };
  EXPECT_NE(why(g, sort_on_host).find("sort runs through the host"), std::string::npos)
      << why(g, sort_on_host);
}

TEST(CudaGraphEligibility, HostTensorsAreNotCaptured) {
  auto fn = [](const std::vector<Tensor>& a) { return std::vector<Tensor>{neg(a[0])}; };
  Graph g = traced_on(fn, full({3}, 1.0), kCuda0);
  const Tensor cpu_arg[] = {full({3}, 1.0)};
  EXPECT_NE(cuda_graph_ineligibility(g, cpu_arg, never_host).find("argument 0 is a CPU tensor"),
            std::string::npos);
  // A captured tensor (a weight) left on the CPU: its value would be baked in.
  Tensor w = full({3}, 0.5);
  Graph gw = traced_on([w](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{mul(a[0], w)};
  }, full({3}, 1.0), kCuda0);
  EXPECT_NE(why(gw).find("captured tensor"), std::string::npos) << why(gw);
  // A CPU graph as traced.
  Graph cpu = traced_on(fn, full({3}, 1.0), kCPU);
  EXPECT_NE(why(cpu).find("computes a value on the CPU"), std::string::npos) << why(cpu);
}

// A traced graph of fn on x where only the values with a shape move (in metadata) to CUDA:
// 0-dim values stay host scalars, as a learning rate captured on the CPU does.
Graph traced_with_host_scalars(Function::Fn fn, const Tensor& x) {
  Function f(std::move(fn), FunctionOptions{.warmup_calls = 0});
  Graph g = *f.graph({x});
  for (Value& v : g.mutable_values()) {
    if (!v.meta.shape.empty()) v.meta.device = kCuda0;
  }
  return g;
}

TEST(CudaGraphEligibility, HostScalarsAreKernelParameters) {
  Tensor lr = full({}, 0.1);
  Graph g = traced_with_host_scalars([lr](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{add(a[0], mul(neg(lr), a[0]))};  // -lr computed on the host
  }, full({4}, 1.0));
  EXPECT_EQ(why(g), "") << g.str();
  Tensor step = full({}, 0.0);
  Graph counter = traced_with_host_scalars([step](const std::vector<Tensor>& a) {
    add_(step, full({}, 1.0));  // a host counter a replay of the graph would not advance
    return std::vector<Tensor>{mul(a[0], step)};
  }, full({4}, 1.0));
  EXPECT_NE(why(counter).find("updates a CPU scalar in place"), std::string::npos)
      << why(counter) << "\n" << counter.str();
}

TEST(CudaGraphEligibility, TwoDevicesOrArgumentWritesAreNotCaptured) {
  Graph g = traced_on([](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{exp(neg(a[0]))};
  }, full({3}, 1.0), kCuda0);
  g.mutable_values().back().meta.device = Device(DeviceType::CUDA, 1);
  EXPECT_NE(why(g).find("two devices"), std::string::npos) << why(g);

  Graph inplace = traced_on([](const std::vector<Tensor>& a) {
    add_(a[0], full({}, 1.0));  // a 0-dim constant: a kernel parameter
    return std::vector<Tensor>{mul(a[0], a[0])};
  }, full({3}, 1.0), kCuda0);
  EXPECT_NE(why(inplace).find("writes into an argument in place"), std::string::npos)
      << why(inplace) << "\n" << inplace.str();
}

TEST(CudaGraphOption, CpuInputsReplayNormallyAndSayWhyOnce) {
  int calls = 0;
  Function f([&](const std::vector<Tensor>& a) {
    ++calls;
    return std::vector<Tensor>{add(mul(a[0], a[0]), 1.0)};
  }, FunctionOptions{.cuda_graph = true});
  for (int i = 0; i < 5; ++i) {
    Tensor x = full({4}, double(i));
    auto out = f({x});
    EXPECT_DOUBLE_EQ(read_as_double(out[0], 2), double(i) * i + 1.0);
  }
  EXPECT_EQ(calls, 2);  // warm-up and trace; replays after that
  ASSERT_EQ(f.cuda_graph_log().size(), 1u);
  EXPECT_NE(f.cuda_graph_log()[0].find("not captured"), std::string::npos);
  EXPECT_NE(f.cuda_graph_log()[0].find("CPU tensor"), std::string::npos) << f.cuda_graph_log()[0];
  EXPECT_EQ(f.retrace_log().size(), 1u);  // the retrace log is untouched
}

}  // namespace
}  // namespace ember::trace
