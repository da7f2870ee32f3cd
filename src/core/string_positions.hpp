// A list of distinct strings and the position of each, looked up by its bytes: open addressing
// over a power-of-two table of 64-bit slots (the upper 32 bits of the hash, position + 1), so a
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

  StringPositions() { rehash(16); }

  // `strings` must be distinct and fewer than kNone.
  explicit StringPositions(std::vector<std::string> strings) : strings_(std::move(strings)) {
    size_t size = 16;
    while (size < strings_.size() * 2) size *= 2;
    rehash(size);
  }

  // The position of `key`, or kNone. Neither allocates nor throws.
  uint32_t find(std::string_view key) const noexcept {
    uint64_t hash = std::hash<std::string_view>{}(key);
    for (size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      uint64_t entry = slots_[slot];
      if (entry == 0) return kNone;
      if ((entry & kTagMask) != (hash & kTagMask)) continue;
      uint32_t position = static_cast<uint32_t>(entry) - 1;
      if (strings_[position] == key) return position;
    }
  }

  // The position of `key`, appended to the strings when it is new.
  uint32_t add(std::string_view key) {
    uint64_t hash = std::hash<std::string_view>{}(key);
    size_t slot = hash & mask_;
    for (;; slot = (slot + 1) & mask_) {
      uint64_t entry = slots_[slot];
      if (entry == 0) break;
      if ((entry & kTagMask) != (hash & kTagMask)) continue;
      uint32_t position = static_cast<uint32_t>(entry) - 1;
      if (strings_[position] == key) return position;
    }
    uint32_t position = static_cast<uint32_t>(strings_.size());
    strings_.emplace_back(key);
    if (strings_.size() * 2 > slots_.size()) {
      rehash(slots_.size() * 2);
    } else {
      slots_[slot] = (hash & kTagMask) | (static_cast<uint64_t>(position) + 1);
    }
    return position;
  }

  const std::vector<std::string>& strings() const { return strings_; }
  std::vector<std::string>& strings() { return strings_; }  // changing them breaks lookups

 private:
  static constexpr uint64_t kTagMask = 0xffffffff00000000ULL;

  // At most half full: short probe runs.
  void rehash(size_t size) {
    slots_.assign(size, 0);
    mask_ = size - 1;
    for (size_t i = 0; i < strings_.size(); ++i) {
      uint64_t hash = std::hash<std::string_view>{}(strings_[i]);
      size_t slot = hash & mask_;
      while (slots_[slot] != 0) slot = (slot + 1) & mask_;
      slots_[slot] = (hash & kTagMask) | (static_cast<uint64_t>(i) + 1);
    }
  }

  std::vector<std::string> strings_;
  std::vector<uint64_t> slots_;  // 0: empty
  uint64_t mask_ = 0;
};

}  // namespace promo
