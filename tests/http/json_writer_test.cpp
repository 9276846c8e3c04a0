#include "http/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace iam::http {
namespace {

TEST(JsonWriterTest, NumbersAsPeopleWriteThem) {
  struct Case {
    double value;
    const char* text;
  } kCases[] = {{39.85, "39.85"}, {0.1, "0.1"}, {100.0, "100"}, {-2.5, "-2.5"}, {0.0, "0"},
                {1234567.891, "1234567.891"}, {1e21, "1e+21"}, {0.000001, "1e-06"}};
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.text);
    EXPECT_EQ(WriteJson(boost::json::value(k.value)), k.text);
    EXPECT_EQ(boost::json::parse(WriteJson(boost::json::value(k.value))).to_number<double>(), k.value)
        << "round-trips exactly";
  }
}

TEST(JsonWriterTest, StructuresAndEscapes) {
  boost::json::value v = {{"a", 1},
                          {"b", boost::json::array{true, nullptr, "x\"y\n"}},
                          {"c", boost::json::object{{"d", 2.5}}},
                          {"ñ", -7}};
  std::string text = WriteJson(v);
  EXPECT_EQ(text, R"({"a":1,"b":[true,null,"x\"y\n"],"c":{"d":2.5},"ñ":-7})");
  EXPECT_EQ(boost::json::parse(text), v);
}

}  // namespace
}  // namespace iam::http
