// Writes the seed corpora for the fuzz targets: small valid files of every kind the loaders
// accept, so libFuzzer starts from inputs that get past the first checks.
//
//   make_seed_corpus <out_dir>   ->  <out_dir>/safetensors/*, saved_function/*, graph_json/*
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "core/io/safetensors.h"
#include "core/ops.h"
#include "trace/function.h"

namespace fs = std::filesystem;
using namespace ember;

namespace {

void write(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f << bytes;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void safetensors_seeds(const fs::path& dir) {
  write(dir / "empty.st", io::to_safetensors({}));
  write(dir / "meta.st", io::to_safetensors({}, {{"format", "pt"}, {"k", "v"}}));
  write(dir / "scalar.st", io::to_safetensors({{"s", full({}, 3.5)}}));
  write(dir / "zero_size.st", io::to_safetensors({{"z", Tensor::empty({0, 4})}}));
  io::NamedTensors all;
  for (DType d : {DType::Bool, DType::UInt8, DType::Int32, DType::Int64, DType::Float16,
                  DType::BFloat16, DType::Float32, DType::Float64}) {
    all.emplace_back(std::string(dtype_name(d)), full({2, 3}, 1, d));
  }
  write(dir / "dtypes.st", io::to_safetensors(all, {{"note", "every dtype"}}));
  write(dir / "model.st", io::to_safetensors({{"w", full({4, 3}, 0.5)}, {"b", full({3}, -1.0)},
                                               {"step", full({}, 7, DType::Int64)}}));
}

using Fn = trace::Function::Fn;

// Traces fn on args and saves it; returns the graph JSON (from the file's metadata).
std::string save_traced(const fs::path& file, Fn fn, const std::vector<Tensor>& args) {
  trace::Function f(std::move(fn));
  f(args);
  f(args);
  f.save(file.string(), args);
  return io::load_safetensors(file.string()).metadata.at("ember.graph");
}

void function_seeds(const fs::path& files, const fs::path& jsons) {
  Tensor w = full({3, 4}, 0.25);
  Tensor b = full({4}, 0.1);
  std::vector<std::pair<std::string, std::pair<Fn, std::vector<Tensor>>>> fns = {
      {"mlp", {[&](const std::vector<Tensor>& a) {
                 return std::vector<Tensor>{sum(relu(add(matmul(a[0], w), b)))};
               }, {full({2, 3}, 1.0)}}},
      {"elementwise", {[](const std::vector<Tensor>& a) {
                         return std::vector<Tensor>{mul(tanh(a[0]), add(a[1], scalar_tensor(2.0)))};
                       }, {full({5}, 0.5), full({5}, 1.5)}}},
      {"shapes", {[](const std::vector<Tensor>& a) {
                    Tensor t = transpose(reshape(a[0], {3, 2}), 0, 1);
                    return std::vector<Tensor>{softmax(t, 1), slice(t, 1, 0, 2), sum(t, {0})};
                  }, {full({6}, 1.0)}}},
      {"index", {[](const std::vector<Tensor>& a) {
                   return std::vector<Tensor>{index_select(a[0], 0, a[1]), where(gt(a[0], scalar_tensor(0.0)), a[0], scalar_tensor(1.0))};
                 }, {full({4}, 2.0), full({2}, 1, DType::Int64)}}},
  };
  for (auto& [name, fa] : fns) {
    std::string g = save_traced(files / (name + ".ember"), fa.first, fa.second);
    write(jsons / (name + ".json"), g);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seed_corpus <out_dir>\n";
    return 2;
  }
  fs::path out = argv[1];
  for (const char* d : {"safetensors", "saved_function", "graph_json"}) fs::create_directories(out / d);
  safetensors_seeds(out / "safetensors");
  function_seeds(out / "saved_function", out / "graph_json");
  // Saved functions are safetensors files too: the checkpoint reader starts from them as well.
  for (auto& e : fs::directory_iterator(out / "saved_function")) {
    write(out / "safetensors" / e.path().filename(), slurp(e.path()));
  }
  std::cout << "seed corpus written to " << out << "\n";
  return 0;
}
