// Hostile saved functions (trace/serialize): malformed graph JSON must raise ValueError, never
// let a JSON library exception or a bad id escape. Companion of tests/fuzz/fuzz_graph_json.
#include <gtest/gtest.h>

#include <string>

#include "core/io/safetensors.h"
#include "core/ops.h"
#include "trace/function.h"
#include "trace/serialize.h"

namespace ember::trace {
namespace {

std::string saved_graph_json() {
  Function f([](const std::vector<Tensor>& a) { return std::vector<Tensor>{add(a[0], a[0])}; });
  std::vector<Tensor> args{full({3}, 1.0)};
  f(args);
  f(args);
  // ctest runs each test in its own process, in parallel: one file per test.
  std::string path = ::testing::TempDir() + "/ember_serialize_hostile_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".ember";
  f.save(path, args);
  std::string g = io::load_safetensors(path).metadata.at("ember.graph");
  std::remove(path.c_str());
  return g;
}

void expect_refused(const std::string& graph) {
  std::string file = io::to_safetensors({}, {{"ember.graph", graph}});
  EXPECT_THROW(LoadedFunction::from_bytes(reinterpret_cast<const uint8_t*>(file.data()),
                                          file.size()),
               ValueError)
      << graph;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

TEST(SerializeHostile, WrongJsonTypesAreValueErrors) {
  std::string g = saved_graph_json();
  expect_refused(replace(g, "\"inplace\":false", "\"inplace\":\"no\""));
  expect_refused(replace(g, "\"version\":1", "\"version\":\"1\""));
  expect_refused(replace(g, "\"kind\":\"input\",\"name\":\"\"", "\"kind\":\"input\",\"name\":7"));
  expect_refused(replace(g, "\"outputs\":[", "\"outputs\":[99,"));
  expect_refused(replace(g, "\"op\":\"add\"", "\"op\":\"no_such_op\""));
  expect_refused(std::string(100000, '[') + std::string(100000, ']'));
  // Found by fuzz_graph_json (UBSan): a float where an int is expected was converted with
  // undefined behaviour.
  expect_refused(replace(g, "\"shape\":[3]", "\"shape\":[9.2e19]"));
  expect_refused(replace(g, "\"shape\":[3]", "\"shape\":[18446744073709551615]"));
}

// Found by fuzz_graph_json: nodes whose inputs or declared outputs disagree with the op
// (a view with no input crashed in the passes; a claimed output smaller than the real one
// would be written past its end).
TEST(SerializeHostile, NodesMustMatchTheirOpsShapeInference) {
  std::string g = saved_graph_json();
  expect_refused(replace(g, "\"in\":[0,0]", "\"in\":[]"));
  expect_refused(replace(g, "\"in\":[0,0]", "\"in\":[0]"));
  expect_refused(replace(g, "\"kind\":\"node\",\"name\":\"\",\"shape\":[3]",
                         "\"kind\":\"node\",\"name\":\"\",\"shape\":[2]"));
  expect_refused(replace(g, "\"dtype\":\"float32\",\"kind\":\"node\"",
                         "\"dtype\":\"int64\",\"kind\":\"node\""));
}

}  // namespace
}  // namespace ember::trace
