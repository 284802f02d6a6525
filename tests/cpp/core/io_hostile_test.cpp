// Hostile checkpoint files and the crashes the fuzzers found (tests/fuzz/, docs/reliability.md):
// each case must raise ember::ValueError with a message, never crash or over-allocate.
#include <gtest/gtest.h>

#include <string>

#include "core/io/safetensors.h"
#include "core/ops.h"

namespace ember::io {
namespace {

std::string file_with_header(const std::string& header, const std::string& data = "") {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

void expect_value_error(const std::string& bytes, const std::string& needle) {
  try {
    from_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    FAIL() << "no error for a file that should be refused (" << needle << ")";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("[load]", 0), 0u) << e.what();
  }
}

TEST(SafetensorsHostile, HeaderClaimsMoreBytesThanTheFile) {
  std::string f = file_with_header("{}");
  f[0] = 100;  // header length 100, file has 2
  expect_value_error(f, "truncated");
  f[7] = 0x7f;  // an absurd length: refused before anything is allocated
  expect_value_error(f, "limit");
}

TEST(SafetensorsHostile, DataOffsetsPastTheEnd) {
  expect_value_error(
      file_with_header(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", "12345678"),
      "outside");
  expect_value_error(
      file_with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", "12345678"),
      "outside");
}

TEST(SafetensorsHostile, OverlappingTensors) {
  expect_value_error(file_with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                      R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                      "12345678"),
                     "overlap");
}

TEST(SafetensorsHostile, AbsurdShapesAndDtypes) {
  expect_value_error(file_with_header(
      R"({"a":{"dtype":"F32","shape":[1125899906842624],"data_offsets":[0,0]}})"),
      "absurd dimension");
  expect_value_error(file_with_header(
      R"({"a":{"dtype":"F32","shape":[65536,65536,65536,65536],"data_offsets":[0,0]}})"),
      "elements");
  expect_value_error(file_with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})"),
                     "bad dimension");
  expect_value_error(file_with_header(R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})",
                                      "12345678"),
                     "unsupported dtype");
}

TEST(SafetensorsHostile, NestedMetadataBomb) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expect_value_error(file_with_header(R"({"__metadata__":{"k":)" + deep + "}}"), "nests deeper");
  expect_value_error(file_with_header(R"({"__metadata__":{"k":{"x":"y"}}})"), "must be a string");
}

// Found by fuzz_graph_json: metadata that is not UTF-8 made the JSON writer throw a
// nlohmann exception through save (std::terminate in the fuzzer, a bare RuntimeError in Python).
TEST(SafetensorsHostile, NonUtf8MetadataIsAValueErrorOnSave) {
  EXPECT_THROW(to_safetensors({}, {{"k", std::string("\xff\xfe", 2)}}), ValueError);
  EXPECT_THROW(to_safetensors({{std::string("\xc3", 1), full({1}, 1.0)}}), ValueError);
}

// Found by the API fuzzer: shapes whose element count overflows int64 wrapped to a tiny
// buffer; they must be refused before allocating.
TEST(TensorShapes, ElementCountOverflowIsRefused) {
  EXPECT_THROW(Tensor::empty({int64_t{1} << 31, int64_t{1} << 31, int64_t{1} << 31}), ValueError);
  EXPECT_THROW(Tensor::empty({int64_t{1} << 62, 4}), ValueError);
  EXPECT_THROW(Tensor::empty({INT64_MAX}), ValueError);  // bytes overflow
  EXPECT_EQ(Tensor::empty({int64_t{1} << 62, int64_t{1} << 62, 0}).numel(), 0);
  EXPECT_THROW(expand(full({3}, 1.0), {-5, 3}), ValueError);
}

}  // namespace
}  // namespace ember::io
