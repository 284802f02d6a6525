#pragma once
// Reading and writing tensors in the safetensors layout: an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}},
// then the raw bytes. Nothing in a file is ever executed. The reader validates everything
// before it touches the data (sizes, offsets, overlaps, dtype names, JSON depth), so a
// truncated, corrupted or hostile file raises ember::ValueError, never reads out of bounds.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace ember::io {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using Metadata = std::map<std::string, std::string>;

struct Safetensors {
  NamedTensors tensors;  // in file order of their data
  Metadata metadata;
};

// Limits that bound what a file can make us allocate or recurse into.
inline constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
inline constexpr int kMaxJsonDepth = 32;

std::string to_safetensors(const NamedTensors& tensors, const Metadata& metadata = {});
Safetensors from_safetensors(const uint8_t* data, size_t size);

// save writes atomically: a temporary file in the same folder, flushed to disk, then
// renamed over `path`, so a crash mid-save leaves any previous file intact.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const Metadata& metadata = {});
Safetensors load_safetensors(const std::string& path);

// Writes bytes to path atomically (shared by every saver).
void write_file_atomic(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path, uint64_t max_bytes);

}  // namespace ember::io
