#include <gtest/gtest.h>

#include <cstdio>

#include "core/io/safetensors.h"
#include "core/ops.h"

namespace ember::io {
namespace {

TEST(Safetensors, RoundTrip) {
  Tensor a = full({2, 3}, 1.5);
  Tensor b = full({4}, 7, DType::Int64);
  std::string bytes = to_safetensors({{"a", a}, {"b", b}}, {{"k", "v"}});
  auto st = from_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_EQ(st.tensors.size(), 2u);
  EXPECT_EQ(st.tensors[0].first, "a");
  EXPECT_EQ(st.tensors[0].second.shape(), (Shape{2, 3}));
  EXPECT_DOUBLE_EQ(read_as_double(st.tensors[1].second, 3), 7.0);
  EXPECT_EQ(st.metadata.at("k"), "v");
}

TEST(Safetensors, TruncatedFilesRaise) {
  std::string bytes = to_safetensors({{"a", full({8}, 2.0)}});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_THROW(from_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), cut), ValueError)
        << "cut at " << cut;
  }
}

TEST(Safetensors, AtomicSaveReplacesFile) {
  std::string path = ::testing::TempDir() + "/ember_io_test.safetensors";
  save_safetensors(path, {{"x", full({1}, 1.0)}});
  save_safetensors(path, {{"x", full({1}, 2.0)}});
  EXPECT_DOUBLE_EQ(read_as_double(load_safetensors(path).tensors[0].second, 0), 2.0);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ember::io
