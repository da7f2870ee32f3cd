// libFuzzer target: arbitrary bytes into decode_cart_json. Only promo::Error may escape the
// decoder; a decoded cart must satisfy the Cart invariants; the DOM parser must agree with the
// streaming reader on what is well-formed JSON.
#include "core/cart_decoder.hpp"
#include "core/json.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

// Aborts with a message: libFuzzer records the input as a crash.
void violated(const char* what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

// Checks what the engine relies on in every decoded cart.
void check_cart(const promo::Cart& cart) {
  if (cart.currency == nullptr) violated("currency is null");
  int64_t subtotal = 0;
  int64_t quantity = 0;
  for (const promo::CartItem& item : cart.items) {
    if (item.sku.empty()) violated("empty sku");
    if (item.quantity < 1) violated("quantity < 1");
    if (item.unit_price < 0) violated("unit_price < 0");
    if (__builtin_mul_overflow(item.quantity, item.unit_price, &subtotal) ||
        subtotal != item.line_total) {
      violated("line_total != quantity * unit_price");
    }
    subtotal = 0;
    for (size_t i = 1; i < item.attributes.size(); ++i) {
      if (!(item.attributes[i - 1].first < item.attributes[i].first)) {
        violated("attributes not sorted and unique");
      }
    }
    for (const auto& [key, value] : item.attributes) {
      if (item.attribute(key) != &value) violated("attribute lookup");
    }
  }
  subtotal = 0;
  for (const promo::CartItem& item : cart.items) {
    if (__builtin_add_overflow(subtotal, item.line_total, &subtotal)) violated("subtotal overflow");
    quantity += item.quantity;
  }
  if (subtotal != cart.subtotal) violated("subtotal != sum of line totals");
  if (quantity != cart.total_quantity) violated("total_quantity != sum of quantities");
  for (const std::string& code : cart.codes) {
    if (code.empty() || code.front() == ' ' || code.back() == ' ') violated("code not trimmed");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bool decoded = false;
  try {
    check_cart(promo::decode_cart_json(text));
    decoded = true;
  } catch (const promo::Error& e) {
    if (std::string_view(e.sqlstate()) == "XX000") violated(e.what());  // decoder bug
  }
  // A cart that decoded is well-formed JSON for the DOM parser too (within its depth limit).
  try {
    promo::json::parse(text, "fuzz", 1000);
  } catch (const promo::Error& e) {
    if (decoded && std::string_view(e.sqlstate()) == "22023") violated("parse rejects a cart");
  }
  return 0;
}
