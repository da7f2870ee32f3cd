// Positions of a fixed list of distinct strings, looked up by their bytes: open addressing over
// a power-of-two table of 64-bit slots (the upper 32 bits of the hash, position + 1), so a
// lookup reads one slot and compares a string only when those hash bits match. Made for loops
// over millions of rows (a bulk load's events, each looked up by customer id), where
// std::unordered_map's separately allocated node per entry costs a cache miss or two per
// lookup.
#pragma once
#include "core/cpp_only.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace promo {

class StringPositions {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // `strings` (distinct, fewer than kNone) must outlive this object, unchanged.
  explicit StringPositions(const std::vector<std::string>& strings) : strings_(&strings) {
    size_t size = 16;
    while (size < strings.size() * 2) size *= 2;  // at most half full: short probe runs
    slots_.assign(size, 0);
    mask_ = size - 1;
    for (size_t i = 0; i < strings.size(); ++i) {
      uint64_t hash = std::hash<std::string_view>{}(strings[i]);
      size_t slot = hash & mask_;
      while (slots_[slot] != 0) slot = (slot + 1) & mask_;
      slots_[slot] = (hash & kTagMask) | (static_cast<uint64_t>(i) + 1);
    }
  }

  // The position of `key` in the strings, or kNone. Neither allocates nor throws.
  uint32_t find(std::string_view key) const noexcept {
    uint64_t hash = std::hash<std::string_view>{}(key);
    uint64_t tag = hash & kTagMask;
    for (size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      uint64_t entry = slots_[slot];
      if (entry == 0) return kNone;
      if ((entry & kTagMask) != tag) continue;
      uint32_t position = static_cast<uint32_t>(entry) - 1;
      if ((*strings_)[position] == key) return position;
    }
  }

 private:
  static constexpr uint64_t kTagMask = 0xffffffff00000000ULL;

  const std::vector<std::string>* strings_;
  std::vector<uint64_t> slots_;  // 0: empty
  uint64_t mask_ = 0;
};

}  // namespace promo
