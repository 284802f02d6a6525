#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/op_registry.h"
#include "core/ops.h"
#include "core/ops/creation_ops.h"
#include "core/ops/random_ops.h"
#include "core/random/generator.h"
#include "core/random/philox.h"

namespace ember {
namespace {

std::vector<double> values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = read_as_double(t, i);
  return v;
}

// Known-answer vectors of Random123 (kat_vectors, philox4x32_10).
TEST(Philox, MatchesRandom123KnownAnswers) {
  using random::philox4x32_10;
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, 0, 0),
            (random::Philox4x32Block{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(
      philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, 0xffffffffu, 0xffffffffu),
      (random::Philox4x32Block{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(
      philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, 0xa4093822u, 0x299f31d0u),
      (random::Philox4x32Block{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(Philox, UniformConversionsStayInUnitInterval) {
  EXPECT_EQ(random::uniform_float(0), 0.0f);
  EXPECT_LT(random::uniform_float(0xffffffffu), 1.0f);
  EXPECT_LT(random::uniform_double(0xffffffffu, 0xffffffffu), 1.0);
  EXPECT_LT(random::uniform_bits<11>(0xffffffffu), 1.0f);
  EXPECT_EQ(random::bounded_u64(~uint64_t{0}, 10), 9u);
}

TEST(Generator, StreamsAdvanceAndReseedRewinds) {
  Generator g(42);
  auto s0 = g.next_stream();
  auto s1 = g.next_stream();
  EXPECT_EQ(s0.seed, 42u);
  EXPECT_EQ(s0.offset + 1, s1.offset);
  g.manual_seed(42);
  EXPECT_EQ(g.next_stream().offset, s0.offset);
}

TEST(Generator, StateRoundTripsAndRejectsGarbage) {
  Generator g(7);
  g.next_stream();
  auto st = g.get_state();
  Tensor a = rand({16}, std::nullopt, kCPU, &g);
  g.set_state(st);
  Tensor b = rand({16}, std::nullopt, kCPU, &g);
  EXPECT_EQ(values(a), values(b));
  std::vector<uint8_t> bad(st.size(), 0);
  EXPECT_THROW(g.set_state(bad), ValueError);
  EXPECT_THROW(g.set_state(std::span<const uint8_t>(st.data(), 3)), ValueError);
}

TEST(Random, SameSeedSameValues) {
  manual_seed(123);
  Tensor a = randn({1000});
  Tensor b = rand({7, 3});
  manual_seed(123);
  EXPECT_EQ(values(a), values(randn({1000})));
  EXPECT_EQ(values(b), values(rand({7, 3})));
  EXPECT_NE(values(a), values(randn({1000})));
}

TEST(Random, ResultsDoNotDependOnThreadCount) {
  const int saved = cpu::num_threads();
  const int64_t n = 300001;  // large and odd: several chunks and a partial last block
  auto draw = [&] {
    manual_seed(5);
    std::vector<std::vector<double>> out;
    out.push_back(values(rand({n})));
    out.push_back(values(randn({n}, DType::Float64)));
    out.push_back(values(randint(-3, 1000, {n})));
    out.push_back(values(bernoulli(full({n}, 0.3))));
    out.push_back(values(randn({n}, DType::Float16)));
    return out;
  };
  cpu::set_num_threads(1);
  auto one = draw();
  cpu::set_num_threads(4);
  auto four = draw();
  cpu::set_num_threads(saved);
  EXPECT_EQ(one, four);
}

TEST(Random, ThreadsHaveIndependentGenerators) {
  manual_seed(99);
  Tensor expect = rand({64});
  std::vector<double> other;
  manual_seed(99);
  std::thread th([&] {
    manual_seed(1);  // must not disturb the main thread's stream
    other = values(rand({64}));
    rand({64});
  });
  th.join();
  EXPECT_EQ(values(rand({64})), values(expect));
  manual_seed(1);
  EXPECT_EQ(values(rand({64})), other);
}

TEST(Random, OpRecordsItsStreamAndReplaysFromAttributes) {
  Generator g(2024);
  UniformOp op(RandomSpec(Shape{5}, std::nullopt, kCPU), -1.0, 1.0);
  op.spec.stream = g.next_stream();
  Attrs a;
  op.attributes(a);
  EXPECT_EQ(a.get<int64_t>("seed", "t"), 2024);
  EXPECT_FALSE(op.is_deterministic());
  auto rebuilt = make_op("uniform", a);
  Tensor x = run_op(op, {})[0];
  Tensor y = run_op(*rebuilt, {})[0];
  EXPECT_EQ(values(x), values(y));
}

TEST(Random, ReplayCanDrawAFreshStream) {
  Generator g(11);
  NormalOp op(RandomSpec(Shape{8}, DType::Float64, kCPU), 0.0, 1.0);
  op.spec.stream = g.next_stream();
  auto next = with_next_stream(op, g);
  ASSERT_NE(next, nullptr);
  Attrs a;
  next->attributes(a);
  EXPECT_EQ(a.get<int64_t>("offset", "t"), 1);
  EXPECT_EQ(a.get<double>("std", "t"), 1.0);
  EXPECT_FALSE(next->is_equivalent(op));
  EXPECT_NE(values(run_op(op, {})[0]), values(run_op(*next, {})[0]));
  EXPECT_EQ(with_next_stream(*make_op("full",
                                      [] {
                                        Attrs f;
                                        FullOp(Shape{1}, 1, DType::Float32, kCPU).attributes(f);
                                        return f;
                                      }()),
                             g),
            nullptr);
}

TEST(Random, UniformAndNormalMoments) {
  manual_seed(0);
  auto u = values(rand({100000}, DType::Float64));
  double mean = 0, sq = 0;
  for (double v : u) {
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
    mean += v;
  }
  mean /= u.size();
  EXPECT_NEAR(mean, 0.5, 0.005);
  auto z = values(normal(2.0, 3.0, {100000}));
  mean = 0;
  for (double v : z) mean += v;
  mean /= z.size();
  for (double v : z) sq += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, 2.0, 0.05);
  EXPECT_NEAR(std::sqrt(sq / z.size()), 3.0, 0.05);
}

TEST(Random, RandintCoversRangeOnly) {
  manual_seed(3);
  auto v = values(randint(-2, 3, {10000}, DType::Int32));
  std::vector<int> count(5, 0);
  for (double x : v) {
    ASSERT_GE(x, -2);
    ASSERT_LT(x, 3);
    ++count[static_cast<int>(x) + 2];
  }
  for (int c : count) EXPECT_NEAR(c, 2000, 200);
}

TEST(Random, RandpermIsAPermutation) {
  manual_seed(4);
  auto v = values(randperm(1000));
  std::sort(v.begin(), v.end());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(v[i], i);
  EXPECT_EQ(randperm(0).numel(), 0);
}

TEST(Random, InplaceInitializersWriteNonContiguousTargets) {
  Tensor base = zeros({4, 6});
  Tensor t = transpose(base, 0, 1);
  uniform_(t, 2.0, 3.0);
  for (double v : values(base)) {
    EXPECT_GE(v, 2.0);
    EXPECT_LT(v, 3.0);
  }
  EXPECT_GT(base.version(), 0u);
}

TEST(Random, ErrorsNameTheFunction) {
  auto msg = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg([] { randint(5, 5, {2}); }).find("[randint] expected low < high"),
            std::string::npos);
  EXPECT_NE(msg([] { rand({2}, DType::Int64); }).find("[rand] expected a floating dtype"),
            std::string::npos);
  EXPECT_NE(msg([] { randn({-1}); }).find("[randn] negative dimension"), std::string::npos);
  EXPECT_NE(msg([] { bernoulli(full({2}, 1.5)); }).find("[bernoulli]"), std::string::npos);
  EXPECT_NE(msg([] { randint(0, 300, {2}, DType::UInt8); }).find("out of bounds for dtype uint8"),
            std::string::npos);
  EXPECT_NE(msg([] {
              Tensor t = zeros({2});
              normal_(t, 0.0, -1.0);
            }).find("[normal_]"),
            std::string::npos);
  EXPECT_NE(msg([] { multinomial(zeros({3}), 1); }).find("[multinomial]"), std::string::npos);
}

}  // namespace
}  // namespace ember
