// LoopbackClient: a blocking HTTP/1.1 client for one service on 127.0.0.1, for the fault and
// consistency suites' bounded load (one client per worker thread; not thread-safe). It keeps one
// keep-alive connection, reconnects after any error and before reusing a connection idle for more
// than a second (the service closes idle ones after HTTP_READ_TIMEOUT_MS, and a request written
// into a closed connection would look unanswered), and bounds every request (connect, write and
// read together) by a timeout. A request that got no complete answer (refused, reset, timed out)
// reports status 0 and says why: for a write, its effect is then unknown.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace iam::test {

struct HttpReply {
  int status = 0;     // 0: no complete answer
  std::string error;  // why, when status is 0
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  // The body parsed as JSON; null when it is not JSON.
  boost::json::value Json() const;
  std::string Header(const std::string& lower_name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class LoopbackClient {
 public:
  LoopbackClient(int port, std::chrono::milliseconds timeout);
  ~LoopbackClient();
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  // `token`, when not empty, goes as `Authorization: Bearer`; a non-empty body as JSON.
  HttpReply Request(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::string& token = {}, const HeaderList& headers = {});
  HttpReply Get(const std::string& target, const std::string& token = {}) { return Request("GET", target, {}, token); }

  int port() const { return port_; }

 private:
  struct Call;
  boost::asio::awaitable<void> Exchange(Call& call);
  void Close();

  int port_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  std::optional<boost::beast::tcp_stream> stream_;
  std::chrono::steady_clock::time_point last_used_{};
};

}  // namespace iam::test
