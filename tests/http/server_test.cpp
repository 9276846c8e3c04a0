#include "http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "http/error_response.hpp"
#include "http/middleware.hpp"
#include "http/router.hpp"

namespace iam::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// An in-process server on an ephemeral loopback port, run by two threads, with a few routes.
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/health", [](RequestContext& ctx) -> asio::awaitable<Response> {
      co_return MakeJsonResponse(beast_http::status::ok, {{"status", "ok"}}, ctx.request.version());
    });
    router_.Post("/echo", [](RequestContext& ctx) -> asio::awaitable<Response> {
      co_return MakeJsonResponse(beast_http::status::ok, {{"bytes", ctx.request.body().size()}});
    });
    router_.Get("/slow", [this](RequestContext& ctx) -> asio::awaitable<Response> {
      slow_started_.set_value();
      asio::steady_timer t(co_await asio::this_coro::executor, slow_for_);
      co_await t.async_wait(asio::use_awaitable);
      co_return MakeJsonResponse(beast_http::status::ok, {{"slow", true}}, ctx.request.version());
    });
    router_.Get("/throws", [](RequestContext&) -> asio::awaitable<Response> {
      throw std::runtime_error("secret detail: SELECT * FROM x");
      co_return Response{};
    });
    handler_ = Chain({RequestId(), ErrorMapping(), SecurityHeaders({}), Cors({.allowed_origins = {"https://app.example"}})},
                     [this](RequestContext& ctx) { return router_.Dispatch(ctx); });
    server_ = std::make_unique<Server>(io_, ServerOptions{.host = "127.0.0.1", .port = 0, .body_limit = 1024,
                                                          .header_limit = 2048, .read_timeout = 500ms},
                                       handler_);
    auto port = server_->Listen();
    ASSERT_TRUE(port.has_value()) << port.error().message;
    port_ = *port;
    server_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    std::promise<void> stopped;
    if (!shut_down_) server_->Shutdown(2s, [&](bool) { stopped.set_value(); });
    else stopped.set_value();
    stopped.get_future().wait_for(5s);
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  tcp::socket Connect() {
    tcp::socket s(client_io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    return s;
  }

  // Sends raw bytes and reads until the server closes or one full response arrived.
  static std::string Exchange(tcp::socket& s, std::string_view raw, bool read_to_close = false) {
    asio::write(s, asio::buffer(raw));
    std::string out;
    char buf[4096];
    boost::system::error_code ec;
    for (;;) {
      std::size_t n = s.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
      if (!read_to_close && CompleteResponse(out)) break;
    }
    return out;
  }

  static bool CompleteResponse(const std::string& r) {
    auto end = r.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    auto cl = r.find("Content-Length: ");
    if (cl == std::string::npos || cl > end) return true;
    std::size_t len = std::stoul(r.substr(cl + 16));
    return r.size() >= end + 4 + len;
  }

  static int Status(const std::string& r) { return r.size() > 12 ? std::stoi(r.substr(9, 3)) : 0; }
  static boost::json::object Body(const std::string& r) {
    return boost::json::parse(r.substr(r.find("\r\n\r\n") + 4)).as_object();
  }

  asio::io_context io_;
  asio::io_context client_io_;
  Router router_;
  Handler handler_;
  std::unique_ptr<Server> server_;
  std::vector<std::thread> threads_;
  unsigned short port_ = 0;
  std::promise<void> slow_started_;
  std::chrono::milliseconds slow_for_{300};
  bool shut_down_ = false;
};

TEST_F(ServerFixture, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto s = Connect();
  for (int i = 0; i < 3; ++i) {
    auto r = Exchange(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(Status(r), 200) << r;
    EXPECT_NE(r.find("X-Request-Id: "), std::string::npos);
    EXPECT_NE(r.find("X-Content-Type-Options: nosniff"), std::string::npos);
    EXPECT_EQ(Body(r).at("status").as_string(), "ok");
  }
}

TEST_F(ServerFixture, ClientRequestIdIsEchoedWhenSane) {
  auto s = Connect();
  auto r = Exchange(s, "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\n\r\n");
  EXPECT_NE(r.find("X-Request-Id: abc-123"), std::string::npos);
  auto s2 = Connect();
  auto r2 = Exchange(s2, "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad id<script>\r\n\r\n");
  EXPECT_EQ(r2.find("<script>"), std::string::npos);
}

TEST_F(ServerFixture, BodyOverTheLimitIs413AndClosed) {
  auto s = Connect();
  std::string body(2000, 'x');
  auto r = Exchange(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + body, true);
  EXPECT_EQ(Status(r), 413) << r;
  EXPECT_EQ(Body(r).at("statusCode").as_int64(), 413);
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
}

TEST_F(ServerFixture, BodyWithinTheLimitIsServed) {
  auto s = Connect();
  auto r = Exchange(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(Status(r), 200);
  EXPECT_EQ(Body(r).at("bytes").as_int64(), 5);
}

TEST_F(ServerFixture, HeadersOverTheLimitAre413) {
  auto s = Connect();
  auto r = Exchange(s, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n", true);
  EXPECT_EQ(Status(r), 413) << r.substr(0, 200);
}

TEST_F(ServerFixture, MalformedRequestLineIs400AndClosed) {
  for (const char* raw : {"GARBAGE\r\n\r\n", "GET /health HTTP/9.9\r\n\r\n", "GET  HTTP/1.1\r\n\r\n",
                          "GET /health HTTP/1.1\r\nBad Header Line\r\n\r\n"}) {
    SCOPED_TRACE(raw);
    auto s = Connect();
    auto r = Exchange(s, raw, true);
    EXPECT_EQ(Status(r), 400) << r;
    EXPECT_EQ(Body(r).at("code").as_string(), "MALFORMED_REQUEST");
  }
}

TEST_F(ServerFixture, UnknownRouteIs404AndWrongMethodIs405) {
  auto s = Connect();
  auto r = Exchange(s, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(Status(r), 404);
  EXPECT_EQ(Body(r).at("code").as_string(), "ROUTE_NOT_FOUND");
  auto r2 = Exchange(s, "DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(Status(r2), 405);
  EXPECT_NE(r2.find("Allow: GET"), std::string::npos);
}

TEST_F(ServerFixture, HandlerExceptionIsA500WithoutDetail) {
  auto s = Connect();
  auto r = Exchange(s, "GET /throws HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(Status(r), 500);
  EXPECT_EQ(r.find("secret detail"), std::string::npos);
  EXPECT_EQ(r.find("SELECT"), std::string::npos);
  EXPECT_EQ(Body(r).at("code").as_string(), "INTERNAL_ERROR");
}

TEST_F(ServerFixture, CorsEchoesAllowedOriginsOnly) {
  auto s = Connect();
  auto pre = Exchange(s, "OPTIONS /health HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
                         "Access-Control-Request-Method: GET\r\n\r\n");
  EXPECT_EQ(Status(pre), 204);
  EXPECT_NE(pre.find("Access-Control-Allow-Origin: https://app.example"), std::string::npos);
  EXPECT_NE(pre.find("Access-Control-Allow-Credentials: true"), std::string::npos);
  EXPECT_NE(pre.find("Access-Control-Max-Age: 86400"), std::string::npos);
  auto other = Exchange(s, "GET /health HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n");
  EXPECT_EQ(Status(other), 200);
  EXPECT_EQ(other.find("Access-Control-Allow-Origin"), std::string::npos);
}

TEST_F(ServerFixture, SlowLorisIsCutOffAfterTheReadTimeout) {
  auto s = Connect();
  asio::write(s, asio::buffer(std::string_view("GET /health HTTP/1.1\r\nHost: x\r\n")));  // never finished
  auto start = std::chrono::steady_clock::now();
  char buf[64];
  boost::system::error_code ec;
  s.read_some(asio::buffer(buf), ec);  // blocks until the server closes
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // closed by the 500 ms timeout, not by the test
}

TEST_F(ServerFixture, GracefulShutdownLetsAnInFlightRequestFinish) {
  slow_for_ = 400ms;
  auto s = Connect();
  auto idle = Connect();  // an idle keep-alive connection is closed at once
  asio::write(s, asio::buffer(std::string_view("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")));
  ASSERT_EQ(slow_started_.get_future().wait_for(5s), std::future_status::ready);

  std::promise<bool> done;
  shut_down_ = true;
  server_->Shutdown(5s, [&](bool drained) { done.set_value(drained); });

  std::string r;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) r.append(buf, s.read_some(asio::buffer(buf), ec));
  EXPECT_EQ(Status(r), 200) << r;
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
  EXPECT_NE(r.find("\"slow\":true"), std::string::npos);

  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(f.get());
  idle.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec) << "idle connection should be closed";
  tcp::socket late(client_io_);
  late.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  EXPECT_TRUE(ec) << "no new connections after shutdown";
}

TEST_F(ServerFixture, ShutdownDeadlineStopsWaitingForAHungRequest) {
  slow_for_ = 3s;
  auto s = Connect();
  asio::write(s, asio::buffer(std::string_view("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")));
  ASSERT_EQ(slow_started_.get_future().wait_for(5s), std::future_status::ready);
  std::promise<bool> done;
  shut_down_ = true;
  server_->Shutdown(200ms, [&](bool drained) { done.set_value(drained); });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(f.get());
}


// With session contexts (one thread each), connections are dealt out in turn and every request of
// a connection is handled on its context's one thread; shutdown still drains them all.
TEST(ServerSessionContexts, ConnectionsAreDealtOutAndEachStaysOnItsContextsThread) {
  asio::io_context main_io, a(1), b(1);
  // Kept running until the end, as the serve command does: Shutdown reports on main_io once the
  // acceptor, its only work, is gone.
  auto guard_main = asio::make_work_guard(main_io);
  auto guard_a = asio::make_work_guard(a);
  auto guard_b = asio::make_work_guard(b);
  std::mutex mu;
  std::vector<std::thread::id> seen;  // thread of each request, in order
  Router router;
  router.Get("/where", [&](RequestContext& ctx) -> asio::awaitable<Response> {
    {
      std::lock_guard lock(mu);
      seen.push_back(std::this_thread::get_id());
    }
    co_return MakeJsonResponse(beast_http::status::ok, {{"ok", true}}, ctx.request.version());
  });
  Server server(main_io, ServerOptions{.host = "127.0.0.1", .port = 0},
                [&](RequestContext& ctx) { return router.Dispatch(ctx); }, {&a, &b});
  auto port = server.Listen();
  ASSERT_TRUE(port.has_value()) << port.error().message;
  server.Start();
  std::thread tm([&] { main_io.run(); }), ta([&] { a.run(); }), tb([&] { b.run(); });

  asio::io_context client_io;
  std::vector<tcp::socket> conns;
  for (int i = 0; i < 4; ++i) {
    conns.emplace_back(client_io);
    conns.back().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), *port));
  }
  char buf[4096];
  for (int round = 0; round < 3; ++round) {
    for (auto& c : conns) {
      asio::write(c, asio::buffer(std::string_view("GET /where HTTP/1.1\r\nHost: x\r\n\r\n")));
      std::string r;
      while (r.find("{\"ok\":true}") == std::string::npos) r.append(buf, c.read_some(asio::buffer(buf)));
    }
  }
  ASSERT_EQ(seen.size(), 12u);
  // Request k of a round went over connection k: the same thread every round, and the threads of
  // connections 0 and 1 (accepted one after the other) differ, as do 0 and 2's from 1 and 3's.
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(seen[k], seen[4 + k]) << k;
    EXPECT_EQ(seen[k], seen[8 + k]) << k;
  }
  EXPECT_NE(seen[0], seen[1]);
  EXPECT_EQ(seen[0], seen[2]);
  EXPECT_EQ(seen[1], seen[3]);
  EXPECT_TRUE(seen[0] == ta.get_id() || seen[0] == tb.get_id());
  EXPECT_TRUE(seen[1] == ta.get_id() || seen[1] == tb.get_id());

  std::promise<bool> done;
  server.Shutdown(2s, [&](bool drained) { done.set_value(drained); });
  auto f = done.get_future();
  const bool reported = f.wait_for(5s) == std::future_status::ready;
  EXPECT_TRUE(reported);
  if (reported) EXPECT_TRUE(f.get());
  main_io.stop();
  a.stop();
  b.stop();
  tm.join();
  ta.join();
  tb.join();
}

}  // namespace
}  // namespace iam::http
