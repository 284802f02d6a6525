#include "core/random/generator.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <random>

#include "core/error.h"

namespace ember {
namespace {

// SplitMix64 finalizer: spreads nearby seeds (thread ordinals, clock values) far apart.
uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr uint64_t kStateTag = 0x31584f4c49485045ULL;  // "EPHILOX1", format version 1

void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

Generator::Generator(const Generator& other) {
  std::lock_guard lock(other.mu_);
  seed_ = other.seed_;
  offset_ = other.offset_;
}

Generator& Generator::operator=(const Generator& other) {
  if (this == &other) return *this;
  uint64_t s, o;
  {
    std::lock_guard lock(other.mu_);
    s = other.seed_;
    o = other.offset_;
  }
  std::lock_guard lock(mu_);
  seed_ = s;
  offset_ = o;
  return *this;
}

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard lock(mu_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::seed() {
  std::random_device rd;
  const uint64_t s = mix64(
      (static_cast<uint64_t>(rd()) << 32 | rd()) ^
      static_cast<uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count()));
  manual_seed(s);
  return s;
}

uint64_t Generator::initial_seed() const {
  std::lock_guard lock(mu_);
  return seed_;
}

uint64_t Generator::offset() const {
  std::lock_guard lock(mu_);
  return offset_;
}

void Generator::set_offset(uint64_t offset) {
  std::lock_guard lock(mu_);
  offset_ = offset;
}

random::PhiloxStream Generator::next_stream() {
  std::lock_guard lock(mu_);
  return {seed_, offset_++};
}

std::vector<uint8_t> Generator::get_state() const {
  std::vector<uint8_t> out(kStateSize);
  std::lock_guard lock(mu_);
  put_u64(out.data(), kStateTag);
  put_u64(out.data() + 8, seed_);
  put_u64(out.data() + 16, offset_);
  return out;
}

void Generator::set_state(std::span<const uint8_t> state) {
  if (state.size() != kStateSize) {
    raise<ValueError>("[set_rng_state] expected a state of {} bytes (from get_rng_state), got {}",
                      kStateSize, state.size());
  }
  if (get_u64(state.data()) != kStateTag) {
    raise<ValueError>("[set_rng_state] not a state from get_rng_state (bad format tag)");
  }
  std::lock_guard lock(mu_);
  seed_ = get_u64(state.data() + 8);
  offset_ = get_u64(state.data() + 16);
}

Generator& default_generator() {
  static std::atomic<uint64_t> next_thread{0};
  thread_local Generator gen([] {
    const uint64_t k = next_thread.fetch_add(1);
    return k == 0 ? Generator::kDefaultSeed : mix64(Generator::kDefaultSeed + k);
  }());
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }
uint64_t seed() { return default_generator().seed(); }
uint64_t initial_seed() { return default_generator().initial_seed(); }

}  // namespace ember
