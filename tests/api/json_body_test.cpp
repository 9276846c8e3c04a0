#include "api/json_body.hpp"

#include <gtest/gtest.h>

#include "domain/enums.hpp"

namespace iam::api {
namespace {

JsonBody Body(std::string_view text) {
  auto b = JsonBody::Parse(text);
  EXPECT_TRUE(b.has_value()) << text;
  return std::move(*b);
}

TEST(JsonBodyTest, MalformedOrNonObjectBodiesAre400) {
  struct Case {
    const char* text;
    const char* code;
  } kCases[] = {{"{", "MALFORMED_JSON"},       {"{\"a\":}", "MALFORMED_JSON"}, {"[1,2]", "VALIDATION_ERROR"},
                {"\"x\"", "VALIDATION_ERROR"}, {"nul", "MALFORMED_JSON"},      {"{\"a\":1}x", "MALFORMED_JSON"},
                {"\xff\xfe{}", "MALFORMED_JSON"}};
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.text);
    auto b = JsonBody::Parse(k.text);
    ASSERT_FALSE(b.has_value());
    EXPECT_EQ(b.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(b.error().code, k.code);
  }
  EXPECT_TRUE(JsonBody::Parse("").has_value()) << "an empty body reads as {}";
  std::string deep(100, '[');
  EXPECT_FALSE(JsonBody::Parse("{\"a\":" + deep + "}").has_value());
}

TEST(JsonBodyTest, UnknownFieldsAreRefusedByName) {
  auto b = Body(R"({"nombre":"x","admin":true})");
  EXPECT_EQ(b.String("nombre", {.required = true}), "x");
  auto r = b.Finish();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("admin: no es un campo permitido"), std::string::npos) << r.error().message;
}

TEST(JsonBodyTest, IntegersMustBeIntegralAndInRange) {
  struct Case {
    const char* json;
    bool ok;
    std::int64_t value;
  } kCases[] = {
      {"5", true, 5},          {"5.0", true, 5},        {"0", true, 0},
      {"-1", false, 0},        {"1.5", false, 0},       {"\"3\"", false, 0},
      {"true", false, 0},      {"2147483647", true, 2147483647}, {"2147483648", false, 0},
      {"99999999999999999999999", false, 0}, {"1e400", false, 0}, {"null", true, -7},
  };
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.json);
    auto b = Body(std::string(R"({"stock":)") + k.json + "}");
    auto v = b.Int("stock", {.min = 0, .max = 2147483647});
    EXPECT_EQ(b.Finish().has_value(), k.ok);
    if (k.ok && k.value >= 0) {
      EXPECT_EQ(v, k.value);
    }
    if (k.value == -7) {
      EXPECT_FALSE(v.has_value());
    }
  }
}

TEST(JsonBodyTest, NumbersMustBeFiniteAndInRange) {
  for (const char* bad : {"-0.01", "1e400", "\"12\"", "[]"}) {
    SCOPED_TRACE(bad);
    auto b = Body(std::string(R"({"precio":)") + bad + "}");
    b.Number("precio", {.required = true, .min = 0});
    EXPECT_FALSE(b.Finish().has_value());
  }
  auto b = Body(R"({"precio":12.345})");
  EXPECT_DOUBLE_EQ(*b.Number("precio"), 12.345);
  EXPECT_TRUE(b.Finish().has_value());
}

TEST(JsonBodyTest, StringsAreTrimmedAndMeasuredInCharacters) {
  auto b = Body(R"({"a":"  hola  ","b":"ñññ","c":"   ","d":"x\u0000y"})");
  EXPECT_EQ(b.String("a"), "hola");
  EXPECT_EQ(b.String("b", {.max_chars = 3}), "ñññ") << "3 characters, 6 bytes";
  EXPECT_FALSE(b.String("c", {.required = true}).has_value());
  EXPECT_FALSE(b.String("d").has_value());
  auto r = b.Finish();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("c: no puede estar vacío"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("d:"), std::string::npos);

  auto long_name = Body(R"({"nombre":")" + std::string(201, 'x') + R"("})");
  long_name.String("nombre", {.required = true, .max_chars = 200});
  auto r2 = long_name.Finish();
  ASSERT_FALSE(r2.has_value());
  EXPECT_NE(r2.error().message.find("nombre: debe tener como máximo 200 caracteres"), std::string::npos);
}

TEST(JsonBodyTest, EmailsAreLowerCasedAndChecked) {
  auto b = Body(R"({"ok":" Ana@Example.COM ","bad1":"ana","bad2":"a@b","bad3":"a b@c.d"})");
  EXPECT_EQ(b.String("ok", {.email = true}), "ana@example.com");
  for (const char* k : {"bad1", "bad2", "bad3"}) EXPECT_FALSE(b.String(k, {.email = true}).has_value()) << k;
  EXPECT_FALSE(b.Finish().has_value());
}

TEST(JsonBodyTest, EnumsOnlyTheirValues) {
  auto b = Body(R"({"tipo":"ENTRADA","rol":"ROOT","unidad":"kilo"})");
  EXPECT_EQ(b.Enum("tipo", domain::kTiposMovimiento), "ENTRADA");
  EXPECT_FALSE(b.Enum("rol", domain::kRoles).has_value());
  EXPECT_FALSE(b.Enum("unidad", domain::kUnidadesMedida).has_value()) << "case matters";
  auto r = b.Finish();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("rol: debe ser uno de: SUPERADMIN, ADMIN, EMPLEADO, PROVEEDOR"), std::string::npos);
}

TEST(JsonBodyTest, PatchDistinguishesAbsentNullAndValue) {
  auto b = Body(R"({"descripcion":null,"color":"rojo"})");
  auto d = b.NullableString("descripcion");
  auto c = b.NullableString("color");
  auto t = b.NullableString("talla");
  EXPECT_TRUE(d.present && d.is_null);
  EXPECT_TRUE(c.HasValue());
  EXPECT_EQ(c.value, "rojo");
  EXPECT_FALSE(t.present);
  EXPECT_TRUE(b.Finish().has_value());
}

TEST(JsonBodyTest, ForbiddenFieldsExplainWhy) {
  auto b = Body(R"({"stock":5})");
  b.Forbid("stock", "solo cambia mediante movimientos");
  auto r = b.Finish();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("stock: solo cambia mediante movimientos"), std::string::npos);
}

TEST(JsonBodyTest, StringListsAreBounded) {
  auto ok = Body(R"({"etiquetas":["a","b"]})");
  EXPECT_EQ(ok.StringList("etiquetas"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(ok.Finish().has_value());
  for (const char* bad : {R"({"etiquetas":"a"})", R"({"etiquetas":[1]})", R"({"etiquetas":[""]})"}) {
    SCOPED_TRACE(bad);
    auto b = Body(bad);
    b.StringList("etiquetas");
    EXPECT_FALSE(b.Finish().has_value());
  }
}

TEST(JsonBodyTest, IsValidUtf8FollowsRfc3629) {
  struct Case {
    std::string text;
    bool valid;
  };
  const Case kCases[] = {
      {"", true},           {"ascii", true},          {"caf\xC3\xA9", true},        {"\xE2\x82\xAC", true},
      {"\xF0\x9F\x99\x82", true},  {"\xF4\x8F\xBF\xBF", true},  // U+10FFFF
      {"\xC3\x28", false},  {"\xC3", false},          {"\xE2\x82", false},          {"\xFF", false},
      {"\xC0\xAF", false},  {"\xE0\x80\xAF", false},  {"\xED\xA0\x80", false},  // overlong, surrogate
      {"\xF4\x90\x80\x80", false},  {"\xF5\x80\x80\x80", false}, {"\x80", false}, {"a\xF0\x9F\x99", false},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(IsValidUtf8(c.text), c.valid);
  }
}

}  // namespace
}  // namespace iam::api
