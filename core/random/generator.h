#pragma once
// Generator: the state of a Philox random stream, (seed, offset). Every random op call takes
// one fresh stream (the current offset) and advances the offset by one; the op records the
// (seed, offset) pair it used among its attributes, so a replay can reproduce it exactly or
// draw a new one. The numbers an op produces depend only on (seed, offset, element index).
//
// Random state is thread-local (DESIGN.md): each thread has its own default generator, and
// manual_seed() on one thread never disturbs another. A Generator object may also be passed
// to ops explicitly (PyTorch's `generator=`); it is safe to share between threads.
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "core/random/philox.h"

namespace ember {

// Shared ownership (enable_shared_from_this): a traced random op keeps the generator it was
// recorded with alive and draws its replays from it (RandomSpec::generator).
class Generator : public std::enable_shared_from_this<Generator> {
 public:
  // PyTorch's default CPU seed, so a fresh process is reproducible without manual_seed.
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;
  // Bytes of get_state(): a format tag, the seed and the offset (little endian).
  static constexpr size_t kStateSize = 24;

  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}
  Generator(const Generator& other);
  Generator& operator=(const Generator& other);

  // Seeds the generator and rewinds it to the start of that seed's sequence.
  void manual_seed(uint64_t seed);
  // Seeds from a non-deterministic source and returns the seed chosen.
  uint64_t seed();
  // The seed the current sequence started from.
  uint64_t initial_seed() const;
  uint64_t offset() const;
  void set_offset(uint64_t offset);

  // Reserves the next stream for one op call and advances past it.
  random::PhiloxStream next_stream();

  std::vector<uint8_t> get_state() const;
  // Restores a get_state() result; raises "[set_rng_state] ..." on a malformed state.
  void set_state(std::span<const uint8_t> state);

 private:
  mutable std::mutex mu_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The calling thread's default generator. The first thread to use random numbers starts
// from Generator::kDefaultSeed; each later thread from a distinct seed derived from it, so
// worker threads do not repeat each other's draws. Seed each thread for reproducibility.
Generator& default_generator();

// The generator an op should draw from: `gen` if given, else the thread's default.
inline Generator& generator_or_default(Generator* gen) { return gen ? *gen : default_generator(); }

// Shorthands on the calling thread's default generator (ember.manual_seed, ...).
void manual_seed(uint64_t seed);
uint64_t seed();
uint64_t initial_seed();

}  // namespace ember
