#pragma once
// Case-insensitive lookups by Keras name, with errors that list what is known.
#include <map>
#include <string>

#include "core/error.h"

namespace ember::keras {

// "GlorotUniform" and "glorot_uniform" both become "glorotuniform".
std::string normalize_name(const std::string& name);

template <class V>
const V& lookup_by_name(const std::map<std::string, V>& table, const std::string& name,
                        const char* what) {
  auto it = table.find(normalize_name(name));
  if (it != table.end()) return it->second;
  std::string known;
  for (const auto& [k, v] : table) known += (known.empty() ? "" : ", ") + k;
  raise<ValueError>("[{}] unknown {} '{}'; known: {}", what, what, name, known);
}

}  // namespace ember::keras
