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

// .npz archives: the bundled digits (written by np.savez_compressed) and damaged archives.
#include "core/io/npz.h"

namespace ember::io {
namespace {

TEST(Npz, ReadsTheBundledDigits) {
  NpzArrays a = load_npz(std::string(EMBER_SOURCE_DIR) + "/python/ember/datasets/data/digits.npz");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].first, "images");
  EXPECT_EQ(a[0].second.shape(), (Shape{1797, 8, 8}));
  EXPECT_EQ(a[1].first, "labels");
  EXPECT_EQ(a[1].second.shape(), (Shape{1797}));
  // Ten classes, pixel values 0..16.
  EXPECT_EQ(max(to_dtype(a[1].second, DType::Int64)).item<double>(), 9.0);
  EXPECT_EQ(max(to_dtype(a[0].second, DType::Int64)).item<double>(), 16.0);
}

TEST(Npz, RejectsDamagedArchives) {
  std::string junk = "not a zip archive at all, just some text";
  EXPECT_THROW(parse_npz(reinterpret_cast<const uint8_t*>(junk.data()), junk.size()), ValueError);
  EXPECT_THROW(parse_npz(nullptr, 0), ValueError);
  // An end record that points its directory past the end of the file.
  std::string end(22, '\0');
  end[0] = 0x50, end[1] = 0x4b, end[2] = 0x05, end[3] = 0x06;
  end[10] = 1;                 // one entry
  end[16] = char(0xff);        // directory at byte 255
  EXPECT_THROW(parse_npz(reinterpret_cast<const uint8_t*>(end.data()), end.size()), ValueError);
}

}  // namespace
}  // namespace ember::io
