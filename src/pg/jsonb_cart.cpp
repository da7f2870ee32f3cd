// jsonb cart -> promo::Cart (see jsonb_cart.hpp).
#include <charconv>

#include "core/cart.hpp"
#include "core/cart_decoder.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/jsonb_cart.hpp"
#include "pg/small_numeric.hpp"

namespace promo::pg {

namespace {

// Feeds one scalar to the decoder. Numbers are passed as the text numeric_out prints ("2", "-2",
// "1.5"), the decoder deciding what is an integer; strings are passed without copying. Integers
// (every quantity and price of a usual cart) are printed straight from numeric's digits, which
// gives the same text without numeric_out's conversions and allocation.
bool feed_scalar(promo::CartDecoder& decoder, const JsonbValue& value) {
  switch (value.type) {
    case jbvNull:
      return decoder.null_value();
    case jbvBool:
      return decoder.bool_value(value.val.boolean);
    case jbvString:
      return decoder.string_value(std::string_view(value.val.string.val, value.val.string.len));
    case jbvNumeric: {
      if (std::optional<int64_t> integer = small_numeric_integer(value.val.numeric)) {
        char digits[24];
        std::to_chars_result printed = std::to_chars(digits, digits + sizeof digits, *integer);
        return decoder.number_value(std::string_view(digits, printed.ptr - digits));
      }
      char* text =
          DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value.val.numeric)));
      bool more = decoder.number_value(text);
      pfree(text);
      return more;
    }
    default:
      elog(ERROR, "promo: unexpected jsonb value type %d in cart", static_cast<int>(value.type));
  }
  return false;
}

// Walks the whole document until it ends or the decoder has seen enough (an invalid cart).
// Runs under pg_guard: the iterator and numeric_out may raise PostgreSQL errors. The decoder's
// methods do not throw by contract; should one throw anyway (std::bad_alloc), the exception is
// parked in `*failure` and the walk stops, so no exception ever crosses PG_TRY.
void walk_cart(promo::CartDecoder& decoder, Jsonb* cart, std::exception_ptr* failure) {
  try {
    if (JB_ROOT_IS_SCALAR(cart)) {
      JsonbValue scalar;
      if (!JsonbExtractScalar(&cart->root, &scalar)) elog(ERROR, "promo: bad scalar jsonb");
      feed_scalar(decoder, scalar);
      return;
    }
    JsonbIterator* iterator = JsonbIteratorInit(&cart->root);
    JsonbValue value;
    bool more = true;
    for (JsonbIteratorToken token = JsonbIteratorNext(&iterator, &value, false);
         more && token != WJB_DONE; token = JsonbIteratorNext(&iterator, &value, false)) {
      switch (token) {
        case WJB_BEGIN_OBJECT:
          more = decoder.begin_object();
          break;
        case WJB_END_OBJECT:
          more = decoder.end_object();
          break;
        case WJB_BEGIN_ARRAY:
          more = decoder.begin_array();
          break;
        case WJB_END_ARRAY:
          more = decoder.end_array();
          break;
        case WJB_KEY:
          more = decoder.key(std::string_view(value.val.string.val, value.val.string.len));
          break;
        case WJB_VALUE:
        case WJB_ELEM:
          more = feed_scalar(decoder, value);
          break;
        case WJB_DONE:
          break;
      }
    }
  } catch (...) {
    *failure = std::current_exception();
  }
}

}  // namespace

promo::Cart decode_jsonb_cart(Jsonb* cart) {
  promo::CartDecoder decoder(promo::CartDecoder::Limits{}, &interrupts_pending);
  std::exception_ptr failure;
  pg_guard([&] { walk_cart(decoder, cart, &failure); });
  if (failure) std::rethrow_exception(failure);
  return decoder.finish();
}

}  // namespace promo::pg
