// The text[] / JSON-array codec of "Producto"."etiquetas": round trips and lenient decoding.
#include "store/detail/text_list_codec.hpp"

#include <gtest/gtest.h>

namespace iam::store::detail {
namespace {

using List = std::vector<std::string>;

TEST(TextListCodecTest, RoundTripsOnBothDialects) {
  const List kLists[] = {{}, {"a"}, {"a b", "c,d", "e\"f", "g\\h", "ñandú", "{x}", "NULL", ""}, {"tab\there\n"}};
  for (const auto& list : kLists) {
    for (Dialect d : {Dialect::kPostgres, Dialect::kSqlite}) {
      SCOPED_TRACE(EncodeTextList(d, list));
      EXPECT_EQ(DecodeTextList(d, EncodeTextList(d, list)), list);
    }
  }
}

TEST(TextListCodecTest, ReadsWhatPostgresWritesAndToleratesJunk) {
  struct Case {
    const char* text;
    List pg;
  } kCases[] = {{"{}", {}},
                {"{a,b}", {"a", "b"}},
                {R"({"a b",NULL,c})", {"a b", "c"}},
                {R"({"q\"x","b\\s"})", {"q\"x", "b\\s"}},
                {"", {}},
                {"{\"open", {}},
                {"nonsense", {}}};
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.text);
    EXPECT_EQ(ParsePgArrayLiteral(k.text), k.pg);
  }
  EXPECT_EQ(ParseJsonStringArray(R"([ "a" , null, "\u00f1\ud83d\ude00" ])"), (List{"a", "ñ😀"}));
  EXPECT_EQ(ParseJsonStringArray(R"(["a",1])"), List{});
  EXPECT_EQ(ParseJsonStringArray("[\"a\""), List{});
}

}  // namespace
}  // namespace iam::store::detail
