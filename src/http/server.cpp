#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/url/parse.hpp>

#include "http/error_response.hpp"

namespace iam::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using tuple_awaitable = asio::as_tuple_t<asio::use_awaitable_t<>>;
constexpr tuple_awaitable kTuple{};

struct Server::Connection {
  explicit Connection(tcp::socket s, std::uint64_t i) : stream(std::move(s)), id(i) {}
  beast::tcp_stream stream;
  std::uint64_t id;
  bool handling = false;  // touched on the connection's strand (or single thread) only
};

namespace {

bool IsParseError(const boost::system::error_code& ec) {
  return ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category();
}

}  // namespace

std::string Server::ClientAddressOf(const Request& request, const boost::asio::ip::address& peer) const {
  if (!options_.trusted_proxies.Contains(peer)) return peer.to_string();
  std::string forwarded;  // several X-Forwarded-For fields are one list, in order (RFC 9110 5.3)
  for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it) {
    if (!forwarded.empty()) forwarded += ',';
    forwarded += it->value();
  }
  return options_.trusted_proxies.ClientAddress(peer, forwarded);
}

Server::Server(asio::io_context& io, ServerOptions options, Handler handler,
               std::vector<asio::io_context*> session_contexts)
    : io_(io),
      options_(std::move(options)),
      handler_(std::move(handler)),
      session_contexts_(std::move(session_contexts)),
      acceptor_(asio::make_strand(io)) {}

Server::~Server() = default;

Result<unsigned short> Server::Listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return Fail(Error::InvalidArgument("invalid HOST: " + options_.host));
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(Error::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                                   ec.message()));
  }
  return acceptor_.local_endpoint().port();
}

void Server::Start() {
  asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::critical("accept loop failed: {}", ex.what());
    }
  });
}

asio::awaitable<void> Server::AcceptLoop() {
  while (acceptor_.is_open()) {
    // A session context's one thread serialises the session; on the shared context, a strand does.
    const asio::any_io_executor session_executor =
        session_contexts_.empty()
            ? asio::any_io_executor(asio::make_strand(io_))
            : asio::any_io_executor(session_contexts_[next_context_++ % session_contexts_.size()]->get_executor());
    auto [ec, socket] = co_await acceptor_.async_accept(session_executor, kTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {  // e.g. EMFILE: back off briefly instead of spinning
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(kTuple);
      continue;
    }
    std::shared_ptr<Connection> conn;
    {
      std::lock_guard lock(mu_);
      conn = std::make_shared<Connection>(std::move(socket), next_id_++);
      connections_.emplace(conn->id, conn);
    }
    ++active_;
    asio::co_spawn(conn->stream.get_executor(), Session(conn), [this, id = conn->id](std::exception_ptr e) {
      if (e) {  // the one catch for a session: log and drop the connection
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("connection failed: {}", ex.what());
        }
      }
      OnSessionEnd(id);
    });
  }
}

asio::awaitable<void> Server::Session(std::shared_ptr<Connection> conn) {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  const auto peer = Unmapped(conn->stream.socket().remote_endpoint(ec).address());
  const std::string peer_text = peer.to_string();
  while (!draining_) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    parser.body_limit(options_.body_limit);
    conn->stream.expires_after(options_.read_timeout);
    auto [read_ec, bytes] = co_await beast_http::async_read(conn->stream, buffer, parser, kTuple);
    (void)bytes;
    Response res;
    bool keep_alive = false;
    if (read_ec == beast_http::error::body_limit || read_ec == beast_http::error::header_limit) {
      res = MakeErrorResponse(beast_http::status::payload_too_large, "La solicitud excede el tamaño permitido");
    } else if (read_ec && IsParseError(read_ec) && read_ec != beast_http::error::end_of_stream &&
               read_ec != beast_http::error::partial_message) {
      res = MakeErrorResponse(beast_http::status::bad_request, "Solicitud HTTP mal formada", "MALFORMED_REQUEST");
    } else if (read_ec) {
      break;  // closed, reset, timed out or cancelled by Shutdown(): nothing to answer
    } else {
      conn->handling = true;
      RequestContext ctx;
      ctx.request = parser.release();
      ctx.peer_address = peer_text;
      ctx.remote_address = options_.trusted_proxies.empty() ? peer_text : ClientAddressOf(ctx.request, peer);
      auto target = boost::urls::parse_origin_form(ctx.request.target());
      if (!target) {
        res = MakeErrorResponse(beast_http::status::bad_request, "Ruta mal formada", "MALFORMED_REQUEST",
                                ctx.request.version());
      } else {
        ctx.path = target->encoded_path();  // split before decoding: "%2F" stays inside a segment
        ctx.query = target->encoded_query();
        res = co_await handler_(ctx);
        keep_alive = ctx.request.keep_alive();
      }
    }
    keep_alive = keep_alive && !draining_;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    conn->stream.expires_after(options_.read_timeout);
    auto [write_ec, written] = co_await beast_http::async_write(conn->stream, res, kTuple);
    (void)written;
    conn->handling = false;
    if (write_ec || !keep_alive) break;
  }
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  conn->stream.close();
}

void Server::OnSessionEnd(std::uint64_t id) {
  {
    std::lock_guard lock(mu_);
    connections_.erase(id);
  }
  --active_;
  if (draining_) MaybeFinishShutdown();
}

void Server::Shutdown(std::chrono::milliseconds deadline, std::function<void(bool)> on_done) {
  if (draining_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mu_);
    on_done_ = std::move(on_done);
    for (auto& [id, weak] : connections_)
      if (auto c = weak.lock()) open.push_back(std::move(c));
    deadline_timer_ = std::make_unique<asio::steady_timer>(io_, deadline);
    deadline_timer_->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      std::function<void(bool)> done;
      {
        std::lock_guard timer_lock(mu_);
        done = std::exchange(on_done_, nullptr);
      }
      if (done) {
        spdlog::warn("shutdown deadline passed with {} connection(s) open", active_.load());
        done(false);
      }
    });
  }
  // Idle connections (waiting for a request) are closed now; busy ones close after their response.
  for (auto& c : open) {
    asio::post(c->stream.get_executor(), [c] {
      if (!c->handling) c->stream.socket().close();
    });
  }
  MaybeFinishShutdown();
}

void Server::MaybeFinishShutdown() {
  std::function<void(bool)> done;
  {
    std::lock_guard lock(mu_);
    if (active_.load() != 0 || !on_done_) return;
    done = std::exchange(on_done_, nullptr);
    if (deadline_timer_) deadline_timer_->cancel();
  }
  asio::post(io_, [done = std::move(done)] { done(true); });
}

}  // namespace iam::http
