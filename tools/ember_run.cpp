// ember_run: runs a saved traced function from C++, with no Python.
//
//   ember_run MODEL INPUT.npy [INPUT.npy ...] -o OUTPUT.npy
//   ember_run STEP INPUT.npy ... --steps N [--save UPDATED] [-o LAST_OUTPUT.npy]
//
// With --steps, the function (typically a whole training step) runs N times; each run
// updates the weights and optimizer state held in the loaded file's captures, and --save
// writes them back. The first output of the last run goes to -o (and its mean is printed).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/io/npy.h"
#include "core/ops.h"
#include "trace/serialize.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: ember_run MODEL INPUT.npy [INPUT.npy ...] [-o OUTPUT.npy] "
               "[--steps N] [--save UPDATED_MODEL]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string model = argv[1], out_path, save_path;
  int64_t steps = 1;
  std::vector<std::string> inputs;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-o" || a == "--output") && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a == "--steps" && i + 1 < argc) {
      steps = std::atoll(argv[++i]);
    } else if (a == "--save" && i + 1 < argc) {
      save_path = argv[++i];
    } else if (a.starts_with("-")) {
      return usage();
    } else {
      inputs.push_back(a);
    }
  }
  try {
    ember::trace::LoadedFunction fn(model);
    std::vector<ember::Tensor> args;
    for (const std::string& p : inputs) args.push_back(ember::io::load_npy(p));
    std::vector<ember::Tensor> outs;
    for (int64_t s = 0; s < steps; ++s) outs = fn(args);
    if (!outs.empty()) {
      ember::Tensor first = outs[0];
      double mean = ember::mean(ember::to_dtype(first, ember::DType::Float64)).item<double>();
      std::printf("output 0: shape %s, mean %.6g\n", ember::shape_str(first.shape()).c_str(), mean);
      if (!out_path.empty()) ember::io::save_npy(out_path, first);
    }
    if (!save_path.empty()) fn.save(save_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ember_run: %s\n", e.what());
    return 1;
  }
  return 0;
}
