#include "http/error_response.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace iam::http {
namespace {

TEST(ErrorResponseTest, EveryKindMapsToItsStatus) {
  struct Case {
    ErrorKind kind;
    int status;
  } kCases[] = {{ErrorKind::kInvalidArgument, 400}, {ErrorKind::kUnauthenticated, 401},
                {ErrorKind::kPermissionDenied, 403}, {ErrorKind::kNotFound, 404},
                {ErrorKind::kConflict, 409},         {ErrorKind::kPayloadTooLarge, 413},
                {ErrorKind::kRateLimited, 429},      {ErrorKind::kUnavailable, 503},
                {ErrorKind::kInternal, 500}};
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.status);
    EXPECT_EQ(static_cast<int>(StatusFor(k.kind)), k.status);
  }
}

TEST(ErrorResponseTest, BodyHasTheApiShape) {
  auto res = MakeErrorResponse(Error::Conflict("Stock insuficiente", "STOCK_INSUFICIENTE"));
  EXPECT_EQ(res.result_int(), 409);
  EXPECT_EQ(res[beast_http::field::content_type], "application/json; charset=utf-8");
  auto body = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(body.at("statusCode").as_int64(), 409);
  EXPECT_EQ(body.at("error").as_string(), "Conflict");
  EXPECT_EQ(body.at("message").as_string(), "Stock insuficiente");
  EXPECT_EQ(body.at("code").as_string(), "STOCK_INSUFICIENTE");
  EXPECT_EQ(body.size(), 4u);
}

TEST(ErrorResponseTest, InternalErrorsNeverCarryTheirDetail) {
  auto res = MakeErrorResponse(Error::Internal("SELECT * FROM \"Usuario\" failed: syntax error"));
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res.body().find("SELECT"), std::string::npos);
  auto body = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(body.at("code").as_string(), "INTERNAL_ERROR");
}

TEST(ErrorResponseTest, DefaultCodePerStatus) {
  auto body = boost::json::parse(MakeErrorResponse(beast_http::status::not_found, "x").body()).as_object();
  EXPECT_EQ(body.at("code").as_string(), "NOT_FOUND");
  EXPECT_EQ(body.at("error").as_string(), "Not Found");
}

}  // namespace
}  // namespace iam::http
