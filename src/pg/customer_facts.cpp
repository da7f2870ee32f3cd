// Customer facts loading (see customer_facts.hpp).
#include <algorithm>
#include <unordered_map>

#include "core/calendar.hpp"
#include "core/cart.hpp"
#include "core/customer.hpp"
#include "core/decimal.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/customer_facts.hpp"
#include "pg/error_bridge.hpp"
#include "pg/history_scan.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace promo::pg {

namespace {

constexpr const char* kRowsQuery =
    "SELECT customer_id, signed_up_at, attributes FROM promo.customers"
    " WHERE customer_id OPERATOR(pg_catalog.=) ANY ($1)";

// The same for one customer (evaluate_cart, a one-row event insert): a plain equality costs
// less to start than an array scan key.
constexpr const char* kRowsOneQuery =
    "SELECT customer_id, signed_up_at, attributes FROM promo.customers"
    " WHERE customer_id OPERATOR(pg_catalog.=) $1";

// The type test compares under COLLATE "C" (the same equality) so that it filters the rows of
// one index probe per customer instead of making the index scan probe every customer x type
// pair. No ORDER BY: the rows are grouped and sorted in memory (load_events), which costs less
// than a Sort node on every call.
constexpr const char* kEventsQuery =
    "SELECT customer_id, type, occurred_at FROM promo.events"
    " WHERE customer_id OPERATOR(pg_catalog.=) ANY ($1)"
    "   AND type COLLATE \"C\" OPERATOR(pg_catalog.=) ANY ($2)"
    "   AND occurred_at OPERATOR(pg_catalog.<=) $3";

constexpr const char* kEventsOneQuery =
    "SELECT customer_id, type, occurred_at FROM promo.events"
    " WHERE customer_id OPERATOR(pg_catalog.=) $1"
    "   AND type COLLATE \"C\" OPERATOR(pg_catalog.=) ANY ($2)"
    "   AND occurred_at OPERATOR(pg_catalog.<=) $3";

// The customers of a query: a text[] of ids, or a text when there is exactly one.
struct CustomersArgument {
  Datum value;
  bool single;
};

// One top-level attribute as read from jsonb, pointing into palloc'd memory.
struct RawAttribute {
  const char* key;
  int key_length;
  promo::AttributeValue::Kind kind;
  bool boolean;
  const char* text;  // string value, or numeric_out text of a number
  int text_length;
};

struct RawAttributes {
  RawAttribute* items;
  int count;
};

// Walks the top level of an attributes object. C style: runs under pg_guard.
RawAttributes read_attributes(Datum datum) {
  Jsonb* document = DatumGetJsonbP(datum);
  RawAttributes result{nullptr, 0};
  if (!JB_ROOT_IS_OBJECT(document)) return result;
  int capacity = static_cast<int>(JB_ROOT_COUNT(document));
  result.items = static_cast<RawAttribute*>(palloc0(sizeof(RawAttribute) * (capacity + 1)));
  JsonbIterator* iterator = JsonbIteratorInit(&document->root);
  JsonbValue value;
  JsonbIteratorToken token;
  RawAttribute* current = nullptr;
  while ((token = JsonbIteratorNext(&iterator, &value, true)) != WJB_DONE) {
    if (token == WJB_KEY && result.count < capacity) {
      current = &result.items[result.count++];
      current->key = value.val.string.val;
      current->key_length = value.val.string.len;
      current->kind = promo::AttributeValue::Kind::kNull;
    } else if (token == WJB_VALUE && current != nullptr) {
      switch (value.type) {
        case jbvString:
          current->kind = promo::AttributeValue::Kind::kString;
          current->text = value.val.string.val;
          current->text_length = value.val.string.len;
          break;
        case jbvNumeric:
          current->kind = promo::AttributeValue::Kind::kNumber;
          current->text =
              DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value.val.numeric)));
          current->text_length = static_cast<int>(strlen(current->text));
          break;
        case jbvBool:
          current->kind = promo::AttributeValue::Kind::kBool;
          current->boolean = value.val.boolean;
          break;
        default:  // null, nested object or array: not addressable from rules
          break;
      }
      current = nullptr;
    }
  }
  return result;
}

// The engine's attribute list (sorted by key) from the raw walk.
std::vector<std::pair<std::string, promo::AttributeValue>> to_attributes(const RawAttributes& raw) {
  std::vector<std::pair<std::string, promo::AttributeValue>> attributes;
  attributes.reserve(raw.count);
  for (int i = 0; i < raw.count; ++i) {
    const RawAttribute& item = raw.items[i];
    promo::AttributeValue value;
    value.kind = item.kind;
    value.boolean = item.boolean;
    if (item.kind == promo::AttributeValue::Kind::kString) {
      value.text.assign(item.text, item.text_length);
    } else if (item.kind == promo::AttributeValue::Kind::kNumber) {
      std::optional<promo::Decimal> number =
          promo::Decimal::parse(std::string_view(item.text, item.text_length));
      if (number) {
        value.number = *number;
      } else {
        value.kind = promo::AttributeValue::Kind::kNull;  // beyond exact decimal range
      }
    }
    attributes.emplace_back(std::string(item.key, item.key_length), std::move(value));
  }
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return attributes;
}

// Customer id -> position in the request.
std::unordered_map<std::string_view, size_t> positions_of(const std::vector<std::string>& ids) {
  std::unordered_map<std::string_view, size_t> positions;
  positions.reserve(ids.size() * 2);
  for (size_t i = 0; i < ids.size(); ++i) positions.emplace(ids[i], i);
  return positions;
}

// Fills signed_up_at and attributes from promo.customers.
void load_rows(const FactsQuery& query, CustomersArgument ids,
               std::vector<promo::CustomerFacts>& facts,
               const std::unordered_map<std::string_view, size_t>& positions) {
  static SPIPlanPtr many = nullptr;
  static SPIPlanPtr one = nullptr;
  pg_guard([] {
    Oid array_types[1] = {TEXTARRAYOID};
    kept_plan(&many, kRowsQuery, 1, array_types);
    Oid text_types[1] = {TEXTOID};
    kept_plan(&one, kRowsOneQuery, 1, text_types);
  });
  Datum arguments[1] = {ids.value};
  uint64 count = run_plan(ids.single ? one : many, arguments, query.read_only, SPI_OK_SELECT);
  for (uint64 row = 0; row < count; ++row) {
    bool is_null = false;
    auto found = positions.find(text_value(result_value(row, 1, &is_null)));
    if (found == positions.end()) continue;
    promo::CustomerFacts& customer = facts[found->second];
    Datum signed_up = result_value(row, 2, &is_null);
    if (!is_null) customer.signed_up_at = engine_time(DatumGetTimestampTz(signed_up));
    Datum attributes = result_value(row, 3, &is_null);
    if (!is_null) {
      RawAttributes raw = pg_guard([attributes] { return read_attributes(attributes); });
      customer.attributes = to_attributes(raw);
    }
  }
  free_result();
}

// Fills the event lists from promo.events. Rows arrive in any order (usually the index's:
// grouped by customer); each customer's lists are then put in the order CustomerFacts wants:
// types in byte order, times ascending.
void load_events(const FactsQuery& query, CustomersArgument ids,
                 std::vector<promo::CustomerFacts>& facts,
                 const std::unordered_map<std::string_view, size_t>& positions) {
  static SPIPlanPtr many = nullptr;
  static SPIPlanPtr one = nullptr;
  pg_guard([] {
    Oid array_types[3] = {TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZOID};
    kept_plan(&many, kEventsQuery, 3, array_types);
    Oid text_types[3] = {TEXTOID, TEXTARRAYOID, TIMESTAMPTZOID};
    kept_plan(&one, kEventsOneQuery, 3, text_types);
  });
  Datum arguments[3] = {ids.value, text_array(*query.event_types),
                        TimestampTzGetDatum(postgres_time(query.until))};
  uint64 count = run_plan(ids.single ? one : many, arguments, query.read_only, SPI_OK_SELECT);
  promo::CustomerFacts* customer = nullptr;
  std::string_view customer_id;
  for (uint64 row = 0; row < count; ++row) {
    bool is_null = false;
    std::string_view id = text_value(result_value(row, 1, &is_null));
    if (customer == nullptr || id != customer_id) {
      auto found = positions.find(id);
      if (found == positions.end()) continue;
      customer = &facts[found->second];
      customer_id = customer->customer_id;
    }
    std::string_view type = text_value(result_value(row, 2, &is_null));
    int64_t at = engine_time(DatumGetTimestampTz(result_value(row, 3, &is_null)));
    auto& lists = customer->events;
    auto list = std::find_if(lists.begin(), lists.end(),
                             [type](const auto& entry) { return entry.first == type; });
    if (list == lists.end()) {
      lists.emplace_back(std::string(type), std::vector<int64_t>());
      list = std::prev(lists.end());
    }
    list->second.push_back(at);
  }
  free_result();
  for (promo::CustomerFacts& customer_facts : facts) {
    auto& lists = customer_facts.events;
    std::sort(lists.begin(), lists.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [type, times] : lists) {
      if (!std::is_sorted(times.begin(), times.end())) std::sort(times.begin(), times.end());
    }
  }
}

// Fills the event lists from a pass over promo.events, already grouped by customer, type and
// time.
void copy_events(const FactsQuery& query, std::vector<promo::CustomerFacts>& facts) {
  const EventHistory& history = *query.history;
  for (size_t c = 0; c < facts.size(); ++c) {
    size_t first = history.offsets[query.history_first + c];
    size_t last = history.offsets[query.history_first + c + 1];
    auto& lists = facts[c].events;
    for (size_t e = first; e < last; ++e) {
      const EventHistory::Event& event = history.events[e];
      if (e == first || event.type != history.events[e - 1].type) {
        lists.emplace_back(history.types[event.type], std::vector<int64_t>());
      }
      lists.back().second.push_back(event.at);
    }
  }
}

}  // namespace

std::vector<promo::CustomerFacts> load_customer_facts(const FactsQuery& query) {
  const std::vector<std::string>& ids = *query.customers;
  std::vector<promo::CustomerFacts> facts(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) facts[i].customer_id = ids[i];
  if (ids.empty()) return facts;
  if (query.history != nullptr) copy_events(query, facts);
  bool query_events =
      query.history == nullptr && query.event_types != nullptr && !query.event_types->empty();
  if (!query.customer_rows && !query_events) return facts;
  std::unordered_map<std::string_view, size_t> positions = positions_of(ids);
  CustomersArgument argument{0, ids.size() == 1};
  if (argument.single) {
    const std::string& id = ids.front();
    argument.value = pg_guard([&id] {
      return PointerGetDatum(cstring_to_text_with_len(id.data(), static_cast<int>(id.size())));
    });
  } else {
    argument.value = text_array(ids);
  }
  if (query.customer_rows) load_rows(query, argument, facts, positions);
  if (query_events) load_events(query, argument, facts, positions);
  return facts;
}

}  // namespace promo::pg
