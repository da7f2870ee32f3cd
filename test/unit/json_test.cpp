// The strict JSON reader: the DOM parser (json::parse) and the event stream (json::stream).
#include "core/error.hpp"
#include "core/json.hpp"

#include <gtest/gtest.h>

namespace promo::json {
namespace {

// SQLSTATE and message of the Error parse() throws for `text`.
std::pair<std::string, std::string> parse_error(std::string_view text, size_t max_depth = 64) {
  try {
    parse(text, "discount", max_depth);
  } catch (const Error& e) {
    return {e.sqlstate(), e.what()};
  }
  return {"none", "parsed"};
}

// Records events as text, to check order and content; stops after `stop_after` events.
struct Recorder {
  std::string log;
  int events = 0;
  int stop_after = 1 << 30;
  bool note(std::string event) {
    log += event + " ";
    return ++events < stop_after;
  }
  bool begin_object() { return note("{"); }
  bool end_object() { return note("}"); }
  bool begin_array() { return note("["); }
  bool end_array() { return note("]"); }
  bool key(std::string_view k) { return note("k:" + std::string(k)); }
  bool string_value(std::string_view v) { return note("s:" + std::string(v)); }
  bool number_value(std::string_view v) { return note("n:" + std::string(v)); }
  bool bool_value(bool v) { return note(v ? "true" : "false"); }
  bool null_value() { return note("null"); }
};

TEST(JsonParse, BuildsTheDocument) {
  Value v = parse(R"( {"a": [1, -2.5e3, "x\u00e9\n", true, false, null], "b": {}} )", "doc");
  ASSERT_EQ(v.kind, Value::Kind::kObject);
  ASSERT_EQ(v.object.size(), 2u);
  const Value* a = v.find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 6u);
  EXPECT_EQ(a->array[0].kind, Value::Kind::kNumber);
  EXPECT_EQ(a->array[0].text, "1");
  EXPECT_EQ(a->array[1].text, "-2.5e3");
  EXPECT_EQ(a->array[2].text, "x\xc3\xa9\n");
  EXPECT_TRUE(a->array[3].boolean);
  EXPECT_EQ(a->array[4].kind, Value::Kind::kBool);
  EXPECT_FALSE(a->array[4].boolean);
  EXPECT_EQ(a->array[5].kind, Value::Kind::kNull);
  EXPECT_EQ(v.find("b")->kind, Value::Kind::kObject);
  EXPECT_EQ(v.find("c"), nullptr);
}

TEST(JsonParse, DuplicateKeysKeptAndFindReturnsTheLast) {
  Value v = parse(R"({"k": 1, "k": 2})", "doc");
  EXPECT_EQ(v.object.size(), 2u);
  EXPECT_EQ(v.find("k")->text, "2");
}

TEST(JsonParse, ScalarRoots) {
  EXPECT_EQ(parse("42", "doc").text, "42");
  EXPECT_EQ(parse(" \"s\" ", "doc").text, "s");
  EXPECT_EQ(parse("null", "doc").kind, Value::Kind::kNull);
}

TEST(JsonParse, EscapesAndSurrogatePairs) {
  EXPECT_EQ(parse(R"("\"\\\/\b\f\n\r\t")", "d").text, "\"\\/\b\f\n\r\t");
  EXPECT_EQ(parse(R"("\ud83d\ude00")", "d").text, "\xf0\x9f\x98\x80");  // U+1F600
  EXPECT_EQ(parse(R"("\u20AC")", "d").text, "\xe2\x82\xac");            // euro sign
  EXPECT_EQ(parse("\"\xf0\x9f\x98\x80 raw\"", "d").text, "\xf0\x9f\x98\x80 raw");
}

TEST(JsonParse, ErrorsNameOffsetAndReason) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(parse_error(""),
            P("22023", "discount is not valid JSON at offset 0: unexpected end of input"));
  EXPECT_EQ(parse_error("[1,]"),
            P("22023", "discount is not valid JSON at offset 3: expected a value"));
  EXPECT_EQ(parse_error(R"({"a":1,})"),
            P("22023", "discount is not valid JSON at offset 7: expected a string key"));
  EXPECT_EQ(parse_error("012"),
            P("22023", "discount is not valid JSON at offset 1: leading zeros are not allowed"));
  EXPECT_EQ(parse_error("-01"),
            P("22023", "discount is not valid JSON at offset 2: leading zeros are not allowed"));
  EXPECT_EQ(
      parse_error("{} x"),
      P("22023", "discount is not valid JSON at offset 3: unexpected data after the document"));
  EXPECT_EQ(parse_error("[1 2]"),
            P("22023", "discount is not valid JSON at offset 3: expected ',' or ']'"));
  EXPECT_EQ(parse_error(R"({"a" 1})"),
            P("22023", "discount is not valid JSON at offset 5: expected ':'"));
  EXPECT_EQ(parse_error("\"ab\x01\""),
            P("22023", "discount is not valid JSON at offset 3: control character in string"));
  EXPECT_EQ(parse_error("\"ab\xff\""),
            P("22023", "discount is not valid JSON at offset 3: invalid UTF-8"));
  EXPECT_EQ(parse_error(R"("\q")"),
            P("22023", "discount is not valid JSON at offset 2: invalid escape"));
  EXPECT_EQ(
      parse_error(R"("\ud800")"),
      P("22023",
        "discount is not valid JSON at offset 1: high surrogate not followed by a low surrogate"));
  EXPECT_EQ(parse_error(R"("\udc00")"),
            P("22023", "discount is not valid JSON at offset 1: lone low surrogate in \\u escape"));
  EXPECT_EQ(parse_error(R"("\u0000")"),
            P("22023", "discount is not valid JSON at offset 1: \\u0000 is not supported"));
  EXPECT_EQ(parse_error(R"("\u12G4")"),
            P("22023", "discount is not valid JSON at offset 5: invalid \\u escape"));
  EXPECT_EQ(parse_error("tru"),
            P("22023", "discount is not valid JSON at offset 0: unexpected character"));
  EXPECT_EQ(parse_error("1."),
            P("22023",
              "discount is not valid JSON at offset 2: expected a digit after the decimal point"));
  EXPECT_EQ(parse_error("1e+"),
            P("22023", "discount is not valid JSON at offset 3: expected a digit in the exponent"));
  EXPECT_EQ(parse_error("\"abc"),
            P("22023", "discount is not valid JSON at offset 4: unterminated string"));
  EXPECT_EQ(parse_error("{'a': 1}"),
            P("22023", "discount is not valid JSON at offset 1: expected a string key"));
}

TEST(JsonParse, RejectsInvalidUtf8Forms) {
  const char* bad[] = {
      "\"\xc0\xaf\"",          // overlong '/'
      "\"\xe0\x80\xaf\"",      // overlong, 3 bytes
      "\"\xed\xa0\x80\"",      // UTF-16 surrogate encoded in UTF-8
      "\"\xf4\x90\x80\x80\"",  // above U+10FFFF
      "\"\xe2\x82\"",          // truncated sequence
      "\"\x80\"",              // stray continuation byte
  };
  for (const char* text : bad) EXPECT_EQ(parse_error(text).first, "22023") << text;
}

TEST(JsonParse, DepthLimit) {
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_EQ(parse(ok, "d").kind, Value::Kind::kArray);
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_EQ(parse_error(deep),
            (std::pair<std::string, std::string>{
                "54000", "discount is nested deeper than 64 levels at offset 64"}));
}

TEST(JsonStream, EventsInDocumentOrder) {
  Recorder r;
  size_t offset = 99;
  ASSERT_TRUE(stream(R"({"a":[1,{"b":null}],"c":"x\ty","d":false})", r, &offset));
  EXPECT_EQ(r.log, "{ k:a [ n:1 { k:b null } ] k:c s:x\ty k:d false } ");
  EXPECT_EQ(offset, 99u);  // untouched on success
}

TEST(JsonStream, StopsWhenTheSinkSaysSo) {
  Recorder r;
  r.stop_after = 3;
  size_t offset = 0;
  // Stopped before the malformed tail: no JSON error, the sink reports its own.
  EXPECT_TRUE(stream(R"([1, 2, 3, 4, oops)", r, &offset));
  EXPECT_EQ(r.log, "[ n:1 n:2 ");
}

TEST(JsonStream, MalformedTextSetsTheOffset) {
  Recorder r;
  size_t offset = 0;
  EXPECT_FALSE(stream(R"({"a": [1, 2,]})", r, &offset));
  EXPECT_EQ(offset, 12u);
  EXPECT_EQ(r.log, "{ k:a [ n:1 n:2 ");
}

TEST(JsonStream, VeryDeepNestingNeedsNoStack) {
  // The reader is iterative: a million levels cost a megabyte of heap, not stack frames.
  const size_t depth = 1000000;
  std::string text(depth, '[');
  text += std::string(depth, ']');
  struct Counter {
    size_t max = 0, cur = 0;
    bool begin_object() { return true; }
    bool end_object() { return true; }
    bool begin_array() {
      max = std::max(max, ++cur);
      return true;
    }
    bool end_array() {
      --cur;
      return true;
    }
    bool key(std::string_view) { return true; }
    bool string_value(std::string_view) { return true; }
    bool number_value(std::string_view) { return true; }
    bool bool_value(bool) { return true; }
    bool null_value() { return true; }
  } counter;
  size_t offset = 0;
  EXPECT_TRUE(stream(text, counter, &offset));
  EXPECT_EQ(counter.max, depth);
  EXPECT_EQ(counter.cur, 0u);
}

}  // namespace
}  // namespace promo::json
