// Server: accepts TCP connections and runs one session coroutine per connection on its own strand
// (read request -> handler -> write response, keep-alive), with header/body limits (413), a read
// timeout that also cuts slow-loris clients, and malformed requests answered 400 then closed.
// It runs on an io_context owned by the caller (any number of threads may run it). Given session
// contexts, each run by exactly one thread, connections are dealt out to them in turn and a
// session runs on its context's executor with no strand: everything one request does on the I/O
// side (its reads and writes, its Redis round trip) stays on one thread.
// The client address of a request is the TCP peer, or, when the peer is a trusted proxy, the one it
// names in X-Forwarded-For (http/trusted_proxies.hpp).
// Shutdown(): stop accepting, close idle connections, let in-flight requests finish (their
// responses say `Connection: close`), then report when all are gone or the deadline passed.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/error.hpp"
#include "http/trusted_proxies.hpp"
#include "http/types.hpp"

namespace iam::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  unsigned short port = 3001;  // 0: an ephemeral port (tests)
  std::size_t body_limit = 1 << 20;
  std::size_t header_limit = 16 * 1024;
  std::chrono::milliseconds read_timeout{10000};
  // TRUSTED_PROXIES: whose X-Forwarded-For names the client (RequestContext::remote_address).
  TrustedProxies trusted_proxies;
};

class Server {
 public:
  // `session_contexts`: empty, or single-threaded io_contexts that outlive the server.
  Server(boost::asio::io_context& io, ServerOptions options, Handler handler,
         std::vector<boost::asio::io_context*> session_contexts = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port. kUnavailable when the address is in use.
  Result<unsigned short> Listen();
  // Starts accepting. REQUIRES: Listen() succeeded.
  void Start();
  // Thread-safe and idempotent. `on_done(drained)` runs once on an io thread: drained=false when
  // the deadline passed with connections still open.
  void Shutdown(std::chrono::milliseconds deadline, std::function<void(bool drained)> on_done);

  std::size_t active_connections() const { return active_.load(); }

 private:
  struct Connection;
  boost::asio::awaitable<void> AcceptLoop();
  boost::asio::awaitable<void> Session(std::shared_ptr<Connection> conn);
  void OnSessionEnd(std::uint64_t id);
  void MaybeFinishShutdown();
  std::string ClientAddressOf(const Request& request, const boost::asio::ip::address& peer) const;

  boost::asio::io_context& io_;
  ServerOptions options_;
  Handler handler_;
  std::vector<boost::asio::io_context*> session_contexts_;
  std::size_t next_context_ = 0;  // touched by the accept loop only
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> draining_{false};

  std::mutex mu_;  // guards the members below
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::function<void(bool)> on_done_;
  std::unique_ptr<boost::asio::steady_timer> deadline_timer_;
};

}  // namespace iam::http
