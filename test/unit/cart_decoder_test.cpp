// The cart decoder driven from JSON text: the contract's validation messages, limits, duplicate
// handling, overflow and interrupts.
#include "core/cart_decoder.hpp"
#include "core/json.hpp"

#include <gtest/gtest.h>

namespace promo {
namespace {

using Failure = std::pair<std::string, std::string>;  // SQLSTATE, message

// SQLSTATE and message of the Error decode_cart_json throws for `text`.
Failure decode_error(std::string_view text) {
  try {
    decode_cart_json(text);
  } catch (const Error& e) {
    return {e.sqlstate(), e.what()};
  }
  return {"none", "decoded"};
}

// A cart with the given item objects (JSON text) in USD.
std::string cart_with_items(const std::string& items) {
  return R"({"currency": "USD", "items": [)" + items + "]}";
}

Failure bad(const char* message) {
  return {"22023", message};
}

TEST(CartDecoder, DecodesTheContractExample) {
  Cart cart = decode_cart_json(R"({
    "currency": "USD",
    "items": [
      {"sku": "HP-PRO", "product": "headphones", "category": "audio",
       "quantity": 1, "unit_price": 19900, "attributes": {"color": "black"}},
      {"sku": "TSHIRT", "quantity": 3, "unit_price": 2500}
    ],
    "codes": ["SPRING-7XK2"]
  })");
  ASSERT_NE(cart.currency, nullptr);
  EXPECT_EQ(cart.currency->code, "USD");
  ASSERT_EQ(cart.items.size(), 2u);
  const CartItem& hp = cart.items[0];
  EXPECT_EQ(hp.sku, "HP-PRO");
  EXPECT_EQ(hp.product, "headphones");
  EXPECT_EQ(hp.category, "audio");
  EXPECT_EQ(hp.quantity, 1);
  EXPECT_EQ(hp.unit_price, 19900);
  EXPECT_EQ(hp.line_total, 19900);
  ASSERT_NE(hp.attribute("color"), nullptr);
  EXPECT_EQ(hp.attribute("color")->kind, AttributeValue::Kind::kString);
  EXPECT_EQ(hp.attribute("color")->text, "black");
  EXPECT_EQ(hp.attribute("size"), nullptr);
  EXPECT_EQ(cart.items[1].product, "");
  EXPECT_EQ(cart.items[1].line_total, 7500);
  EXPECT_EQ(cart.subtotal, 27400);
  EXPECT_EQ(cart.total_quantity, 4);
  EXPECT_EQ(cart.codes, std::vector<std::string>{"SPRING-7XK2"});
}

TEST(CartDecoder, RootMustBeAnObject) {
  EXPECT_EQ(decode_error("[]"), bad("cart must be a JSON object, got array"));
  EXPECT_EQ(decode_error(R"("USD")"), bad("cart must be a JSON object, got string"));
  EXPECT_EQ(decode_error("12"), bad("cart must be a JSON object, got number"));
  EXPECT_EQ(decode_error("true"), bad("cart must be a JSON object, got boolean"));
  EXPECT_EQ(decode_error("null"), bad("cart must be a JSON object, got null"));
}

TEST(CartDecoder, RootKeys) {
  EXPECT_EQ(decode_error(R"({"items": []})"), bad("cart.currency is required"));
  EXPECT_EQ(decode_error(R"({"currency": "USD"})"), bad("cart.items is required"));
  EXPECT_EQ(decode_error(R"({"currency": "XYZ", "items": []})"),
            bad("cart.currency must be a known ISO 4217 code, got 'XYZ'"));
  EXPECT_EQ(decode_error(R"({"currency": "usd", "items": []})"),
            bad("cart.currency must be a known ISO 4217 code, got 'usd'"));
  EXPECT_EQ(decode_error(R"({"currency": 840, "items": []})"),
            bad("cart.currency must be a known ISO 4217 code, got 840"));
  EXPECT_EQ(decode_error(R"({"currency": "USD", "items": {}})"),
            bad("cart.items must be an array, got object"));
  EXPECT_EQ(decode_error(R"({"currency": "USD", "items": "x"})"),
            bad("cart.items must be an array, got string"));
  EXPECT_EQ(decode_error(R"({"currency": "USD", "items": [], "foo": 1})"),
            bad("cart.foo is not a known key"));
  EXPECT_EQ(decode_error(R"({"currency": "USD", "items": [], "codes": "A"})"),
            bad("cart.codes must be an array, got string"));
}

TEST(CartDecoder, ItemShapeAndKeys) {
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1}, [], 5)")),
            bad("cart.items[1] must be an object, got array"));
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1},
                                            {"sku":"B","quantity":1,"unit_price":1}, 5)")),
            bad("cart.items[2] must be an object, got number"));
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1},
                                            {"sku":"B","colour":"red"})")),
            bad("cart.items[1].colour is not a known key"));
}

TEST(CartDecoder, RequiredItemFields) {
  EXPECT_EQ(decode_error(cart_with_items(R"({"quantity":1,"unit_price":1})")),
            bad("cart.items[0].sku is required"));
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":"A","unit_price":1})")),
            bad("cart.items[0].quantity is required"));
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":"A","quantity":1})")),
            bad("cart.items[0].unit_price is required"));
}

TEST(CartDecoder, SkuMustBeANonEmptyString) {
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":5,"quantity":1,"unit_price":1})")),
            bad("cart.items[0].sku must be a non-empty string, got 5"));
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":"","quantity":1,"unit_price":1})")),
            bad("cart.items[0].sku must be a non-empty string, got \"\""));
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":null,"quantity":1,"unit_price":1})")),
            bad("cart.items[0].sku must be a non-empty string, got null"));
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":["A"],"quantity":1,"unit_price":1})")),
            bad("cart.items[0].sku must be a non-empty string, got array"));
}

TEST(CartDecoder, QuantityMustBeAPositiveInteger) {
  const std::string good = R"({"sku":"A","quantity":1,"unit_price":1},)";
  auto with_quantity = [&](const char* q) {
    return cart_with_items(good + good + good + R"({"sku":"D","unit_price":1,"quantity":)" + q +
                           "}");
  };
  EXPECT_EQ(decode_error(with_quantity("-2")),
            bad("cart.items[3].quantity must be a positive integer, got -2"));
  EXPECT_EQ(decode_error(with_quantity("0")),
            bad("cart.items[3].quantity must be a positive integer, got 0"));
  EXPECT_EQ(decode_error(with_quantity("1.5")),
            bad("cart.items[3].quantity must be a positive integer, got 1.5"));
  EXPECT_EQ(decode_error(with_quantity(R"("2")")),
            bad("cart.items[3].quantity must be a positive integer, got \"2\""));
  EXPECT_EQ(decode_error(with_quantity("true")),
            bad("cart.items[3].quantity must be a positive integer, got true"));
  EXPECT_EQ(decode_error(with_quantity("1e30")),
            bad("cart.items[3].quantity must be a positive integer, got 1e30"));
  EXPECT_EQ(decode_error(with_quantity("1000000000000000000000000000000")),
            bad("cart.items[3].quantity must be a positive integer, got "
                "1000000000000000000000000000000"));
  // Judged by value, as numeric would: 2.0 and 2e0 are the integer 2.
  EXPECT_EQ(decode_cart_json(with_quantity("2.0")).items[3].quantity, 2);
  EXPECT_EQ(decode_cart_json(with_quantity("2e0")).items[3].quantity, 2);
  EXPECT_EQ(decode_cart_json(
                cart_with_items(R"({"sku":"A","unit_price":0,"quantity":9223372036854775807})"))
                .items[0]
                .quantity,
            INT64_MAX);
}

TEST(CartDecoder, UnitPriceMustBeANonNegativeInteger) {
  const std::string good = R"({"sku":"A","quantity":1,"unit_price":1},)";
  auto with_price = [&](const char* p) {
    return cart_with_items(good + good + R"({"sku":"C","quantity":1,"unit_price":)" + p + "}");
  };
  EXPECT_EQ(decode_error(with_price(R"("19.99")")),
            bad("cart.items[2].unit_price must be a non-negative integer, got \"19.99\""));
  EXPECT_EQ(decode_error(with_price("19.99")),
            bad("cart.items[2].unit_price must be a non-negative integer, got 19.99"));
  EXPECT_EQ(decode_error(with_price("-1")),
            bad("cart.items[2].unit_price must be a non-negative integer, got -1"));
  EXPECT_EQ(decode_error(with_price("{}")),
            bad("cart.items[2].unit_price must be a non-negative integer, got object"));
  Cart cart = decode_cart_json(with_price("0"));  // a free item is fine
  EXPECT_EQ(cart.items[2].unit_price, 0);
  EXPECT_EQ(cart.items[2].line_total, 0);
  EXPECT_EQ(cart.subtotal, 2);
}

TEST(CartDecoder, OptionalStringsAndAttributes) {
  EXPECT_EQ(decode_error(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1,"product":5})")),
            bad("cart.items[0].product must be a string, got 5"));
  EXPECT_EQ(
      decode_error(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1,"category":false})")),
      bad("cart.items[0].category must be a string, got false"));
  EXPECT_EQ(
      decode_error(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1,"attributes":[]})")),
      bad("cart.items[0].attributes must be an object, got array"));
  EXPECT_EQ(
      decode_error(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1,"attributes":"x"})")),
      bad("cart.items[0].attributes must be an object, got string"));
  Cart cart = decode_cart_json(cart_with_items(
      R"({"sku":"A","quantity":1,"unit_price":1,"product":null,"category":null,"attributes":null})"));
  EXPECT_EQ(cart.items[0].product, "");
  EXPECT_TRUE(cart.items[0].attributes.empty());
}

TEST(CartDecoder, AttributesSortedUniqueLastWins) {
  Cart cart = decode_cart_json(cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1,
      "attributes": {"size": "M", "color": "red", "weight": 1.250, "gift": true,
                     "note": null, "color": "blue", "dims": {"w": [1, 2, {"x": 3}]}, "a": "z"}})"));
  const auto& attributes = cart.items[0].attributes;
  std::vector<std::string> keys;
  for (const auto& [k, v] : attributes) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"a", "color", "dims", "gift", "note", "size", "weight"}));
  const CartItem& item = cart.items[0];
  EXPECT_EQ(item.attribute("color")->text, "blue");
  EXPECT_EQ(item.attribute("dims")->kind, AttributeValue::Kind::kNull);
  EXPECT_EQ(item.attribute("gift")->kind, AttributeValue::Kind::kBool);
  EXPECT_TRUE(item.attribute("gift")->boolean);
  EXPECT_EQ(item.attribute("note")->kind, AttributeValue::Kind::kNull);
  EXPECT_EQ(item.attribute("weight")->kind, AttributeValue::Kind::kNumber);
  EXPECT_EQ(item.attribute("weight")->number.mantissa, 1250);
  EXPECT_EQ(item.attribute("weight")->number.scale, 3);
  EXPECT_EQ(decode_error(cart_with_items(
                R"({"sku":"A","quantity":1,"unit_price":1,"attributes":{"w":1e30}})")),
            bad("cart.items[0].attributes.w must be a number of at most 18 digits and 18 "
                "decimals, got 1e30"));
}

TEST(CartDecoder, DeepNestingInAttributesIsALimit) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(decode_error(cart_with_items(
                R"({"sku":"A","quantity":1,"unit_price":1,"attributes":{"d":)" + deep + "}}")),
            (Failure{"54000",
                     "cart.items[0].attributes.d is nested deeper than the limit of 64 levels"}));
  // 60 levels inside the attribute (64 in the document) are still accepted.
  const std::string ok = std::string(60, '[') + std::string(60, ']');
  EXPECT_EQ(decode_cart_json(
                cart_with_items(R"({"sku":"A","quantity":1,"unit_price":1,"attributes":{"d":)" +
                                ok + "}}"))
                .items[0]
                .attribute("d")
                ->kind,
            AttributeValue::Kind::kNull);
}

TEST(CartDecoder, Codes) {
  Cart cart = decode_cart_json(R"({"currency":"EUR","items":[],"codes":["  SPRING-1 ","\tB"]})");
  EXPECT_EQ(cart.codes, (std::vector<std::string>{"SPRING-1", "B"}));
  EXPECT_EQ(cart.currency->code, "EUR");
  EXPECT_EQ(decode_error(R"({"currency":"EUR","items":[],"codes":["A","  "]})"),
            bad("cart.codes[1] must be a non-empty string, got \"  \""));
  EXPECT_EQ(decode_error(R"({"currency":"EUR","items":[],"codes":["A",5]})"),
            bad("cart.codes[1] must be a non-empty string, got 5"));
  EXPECT_EQ(decode_error(R"({"currency":"EUR","items":[],"codes":[{}]})"),
            bad("cart.codes[0] must be a non-empty string, got object"));
  EXPECT_TRUE(decode_cart_json(R"({"currency":"EUR","items":[],"codes":null})").codes.empty());
}

TEST(CartDecoder, DuplicateSkusStayApart) {
  Cart cart = decode_cart_json(cart_with_items(
      R"({"sku":"A","quantity":1,"unit_price":100},{"sku":"A","quantity":2,"unit_price":90})"));
  ASSERT_EQ(cart.items.size(), 2u);
  EXPECT_EQ(cart.items[0].line_total, 100);
  EXPECT_EQ(cart.items[1].line_total, 180);
  EXPECT_EQ(cart.subtotal, 280);
  EXPECT_EQ(cart.total_quantity, 3);
}

TEST(CartDecoder, DuplicateKeysLastWins) {
  Cart cart = decode_cart_json(R"({"currency":"EUR","currency":"PLN",
      "items":[{"sku":"X","quantity":9,"unit_price":9}],
      "items":[{"sku":"A","sku":"B","quantity":1,"quantity":3,"unit_price":5}]})");
  EXPECT_EQ(cart.currency->code, "PLN");
  ASSERT_EQ(cart.items.size(), 1u);
  EXPECT_EQ(cart.items[0].sku, "B");
  EXPECT_EQ(cart.items[0].quantity, 3);
  EXPECT_EQ(cart.subtotal, 15);
  EXPECT_EQ(cart.total_quantity, 3);
}

TEST(CartDecoder, OverflowIsNumericOutOfRange) {
  const std::string big = R"({"sku":"A","quantity":1,"unit_price":9223372036854775807})";
  EXPECT_EQ(decode_error(cart_with_items(big + "," + big)),
            (Failure{"22003", "cart subtotal is out of range"}));
  const std::string fine = R"({"sku":"A","quantity":1,"unit_price":1},)";
  EXPECT_EQ(
      decode_error(cart_with_items(fine + fine + fine + fine +
                                   R"({"sku":"E","quantity":3,"unit_price":4611686018427387904})")),
      (Failure{"22003", "cart.items[4] line total is out of range"}));
}

TEST(CartDecoder, ThousandLineCart) {
  std::string items;
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) items += ",";
    items += R"({"sku":"SKU-)" + std::to_string(i) + R"(","quantity":)" +
             std::to_string(i % 5 + 1) + R"(,"unit_price":)" + std::to_string(100 + i) +
             R"(,"attributes":{"n":)" + std::to_string(i) + "}}";
  }
  Cart cart = decode_cart_json(cart_with_items(items));
  ASSERT_EQ(cart.items.size(), 1000u);
  int64_t subtotal = 0, quantity = 0;
  for (int i = 0; i < 1000; ++i) {
    const CartItem& item = cart.items[static_cast<size_t>(i)];
    EXPECT_EQ(item.sku, "SKU-" + std::to_string(i));
    EXPECT_EQ(item.line_total, (i % 5 + 1) * (100 + i));
    EXPECT_EQ(item.attribute("n")->number.mantissa, i);
    subtotal += item.line_total;
    quantity += item.quantity;
  }
  EXPECT_EQ(cart.subtotal, subtotal);
  EXPECT_EQ(cart.total_quantity, quantity);
  EXPECT_EQ(cart.subtotal, 1800500);  // sum of (i % 5 + 1) * (100 + i) for i < 1000
  EXPECT_EQ(cart.total_quantity, 3000);
}

TEST(CartDecoder, MalformedJson) {
  EXPECT_EQ(decode_error(R"({"currency": "USD", "items": [,]})"),
            bad("cart is not valid JSON at offset 30: expected a value"));
  EXPECT_EQ(decode_error(""), bad("cart is not valid JSON at offset 0: unexpected end of input"));
  // A cart error met before the malformation is what is reported: reading stops there.
  EXPECT_EQ(decode_error(R"({"colour": 1, "items": [,]})"), bad("cart.colour is not a known key"));
}

// Feeds events by hand, as the adapter does from jsonb.
TEST(CartDecoder, DrivenByEvents) {
  CartDecoder::Limits limits;
  limits.max_items = 2;
  CartDecoder decoder(limits);
  EXPECT_TRUE(decoder.begin_object());
  EXPECT_TRUE(decoder.key("currency"));
  EXPECT_TRUE(decoder.string_value("JPY"));
  EXPECT_TRUE(decoder.key("items"));
  EXPECT_TRUE(decoder.begin_array());
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(decoder.begin_object());
    EXPECT_TRUE(decoder.key("sku"));
    EXPECT_TRUE(decoder.string_value("A"));
    EXPECT_TRUE(decoder.key("quantity"));
    EXPECT_TRUE(decoder.number_value("2"));
    EXPECT_TRUE(decoder.key("unit_price"));
    EXPECT_TRUE(decoder.number_value("500"));
    EXPECT_TRUE(decoder.end_object());
  }
  EXPECT_FALSE(decoder.begin_object());  // a third item is over the limit
  EXPECT_FALSE(decoder.key("sku"));      // and nothing is accepted after the first error
  try {
    decoder.finish();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "54000");
    EXPECT_STREQ(e.what(), "cart.items exceeds the limit of 2 items");
  }
  // finish() resets the decoder: it can read the next document.
  EXPECT_TRUE(decoder.begin_object());
  EXPECT_TRUE(decoder.key("currency"));
  EXPECT_TRUE(decoder.string_value("JPY"));
  EXPECT_TRUE(decoder.key("items"));
  EXPECT_TRUE(decoder.begin_array());
  EXPECT_TRUE(decoder.end_array());
  EXPECT_TRUE(decoder.end_object());
  Cart cart = decoder.finish();
  EXPECT_EQ(cart.currency->exponent, 0);
  EXPECT_TRUE(cart.items.empty());
}

TEST(CartDecoder, Limits) {
  CartDecoder::Limits limits;
  limits.max_codes = 1;
  limits.max_string_bytes = 5;
  auto run = [&](std::string_view text) -> Failure {
    CartDecoder decoder(limits);
    size_t offset = 0;
    if (!json::stream(text, decoder, &offset)) return {"json", std::to_string(offset)};
    try {
      decoder.finish();
    } catch (const Error& e) {
      return {e.sqlstate(), e.what()};
    }
    return {"none", "decoded"};
  };
  EXPECT_EQ(run(R"({"currency":"USD","items":[],"codes":["A","B"]})"),
            (Failure{"54000", "cart.codes exceeds the limit of 1 codes"}));
  EXPECT_EQ(run(R"({"currency":"USD","items":[{"sku":"ABCDEF"}]})"),
            (Failure{"54000", "cart.items[0].sku is longer than the limit of 5 bytes"}));
  EXPECT_EQ(
      run(R"({"currency":"USD","items":[{"sku":"A","attributes":{"longkey":1}}]})"),
      (Failure{"54000", "cart.items[0].attributes has a key longer than the limit of 5 bytes"}));
  EXPECT_EQ(run(R"({"currency":"USD","items":[]})"), (Failure{"none", "decoded"}));
}

int g_polls = 0;
bool cancel_on_second_poll() {
  return ++g_polls >= 2;
}

TEST(CartDecoder, InterruptPolledEveryThousandItems) {
  std::string items;
  for (int i = 0; i < 2500; ++i) {
    items += std::string(i ? "," : "") + R"({"sku":"A","quantity":1,"unit_price":1})";
  }
  const std::string text = cart_with_items(items);
  g_polls = 0;
  CartDecoder decoder(CartDecoder::Limits{}, cancel_on_second_poll);
  size_t offset = 0;
  EXPECT_TRUE(json::stream(text, decoder, &offset));
  EXPECT_EQ(g_polls, 2);  // after item 1000 (no) and item 2000 (yes), then stopped
  EXPECT_THROW(decoder.finish(), Interrupted);
}

TEST(CartDecoder, LongValuesAreCutInMessages) {
  const std::string sku(100, 'x');
  EXPECT_EQ(
      decode_error(R"({"currency":")" + sku + R"(","items":[]})"),
      bad(("cart.currency must be a known ISO 4217 code, got '" + std::string(64, 'x') + "...'")
              .c_str()));
}

}  // namespace
}  // namespace promo
