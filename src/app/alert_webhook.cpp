#include "app/alert_webhook.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <mutex>

#include "app/config.hpp"

namespace iam::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct AlertWebhook::State {
  asio::any_io_executor executor;
  WebhookOptions options;
  std::string masked_url;
  bool tls = false;
  std::string host, port, target, host_header, authorization;
  std::unique_ptr<asio::ssl::context> ssl;

  mutable std::mutex mu;  // guards the members below
  std::deque<std::string> queue;  // front: in flight while `running`
  bool running = false, stopped = false;
  api::WebhookCounters counters;
};

namespace {

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// One POST; the HTTP status, or a short reason (never the URL) when there is none.
template <typename Stream>
awaitable<std::pair<int, std::string>> Exchange(Stream& stream, const AlertWebhook::State& s, const std::string& body) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, s.target, 11};
  req.set(bhttp::field::host, s.host_header);
  req.set(bhttp::field::user_agent, "iam-alerts");
  req.set(bhttp::field::content_type, "application/json");
  req.set(bhttp::field::connection, "close");
  if (!s.authorization.empty()) req.set(bhttp::field::authorization, s.authorization);
  req.body() = body;
  req.prepare_payload();
  if (auto [ec, n] = co_await bhttp::async_write(stream, req, kUseTuple); ec) co_return std::pair{0, "write: " + ec.message()};
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024);
  if (auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kUseTuple); ec)
    co_return std::pair{0, "read: " + ec.message()};
  co_return std::pair{parser.get().result_int(), std::string()};
}

awaitable<std::pair<int, std::string>> PostOnce(std::shared_ptr<AlertWebhook::State> s, const std::string& body) {
  asio::ip::tcp::resolver resolver(s->executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(s->host, s->port, kUseTuple);
  if (rec) co_return std::pair{0, "resolve: " + rec.message()};
  beast::tcp_stream tcp(s->executor);
  tcp.expires_after(s->options.timeout);  // one deadline for the whole attempt
  if (auto [ec, ep] = co_await tcp.async_connect(endpoints, kUseTuple); ec) co_return std::pair{0, "connect: " + ec.message()};
  if (!s->tls) {
    auto r = co_await Exchange(tcp, *s, body);
    boost::system::error_code ignored;
    tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    co_return r;
  }
  beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), *s->ssl);
  boost::system::error_code not_ip;
  asio::ip::make_address(s->host, not_ip);
  if (not_ip && SSL_set_tlsext_host_name(tls.native_handle(), s->host.c_str()) != 1)  // SNI names hosts, never IPs
    co_return std::pair{0, std::string("TLS SNI")};
  tls.set_verify_mode(asio::ssl::verify_peer);
  tls.set_verify_callback(asio::ssl::host_name_verification(s->host));
  if (auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kUseTuple); ec)
    co_return std::pair{0, "TLS handshake: " + ec.message()};
  auto r = co_await Exchange(tls, *s, body);
  co_await tls.async_shutdown(kUseTuple);  // a receiver that just closes is fine: the answer is in
  co_return r;
}

awaitable<void> Worker(std::shared_ptr<AlertWebhook::State> s) {
  asio::steady_timer timer(s->executor);
  for (;;) {
    std::string body;
    {
      std::lock_guard lock(s->mu);
      if (s->queue.empty() || s->stopped) {
        s->running = false;
        co_return;
      }
      body = s->queue.front();
    }
    bool delivered = false;
    std::string last_error;
    auto backoff = s->options.backoff;
    for (int attempt = 1; attempt <= s->options.attempts; ++attempt) {
      if (attempt > 1) {
        {
          std::lock_guard lock(s->mu);
          if (s->stopped) break;
          ++s->counters.retries;
        }
        timer.expires_after(backoff);
        co_await timer.async_wait(kUseTuple);
        backoff *= 2;
      }
      auto [status, error] = co_await PostOnce(s, body);
      if (status >= 200 && status < 300) {
        delivered = true;
        break;
      }
      last_error = status != 0 ? "HTTP " + std::to_string(status) : error;
      spdlog::debug("alert webhook {}: attempt {}/{} failed: {}", s->masked_url, attempt, s->options.attempts,
                    last_error);
    }
    {
      std::lock_guard lock(s->mu);
      s->queue.pop_front();
      ++(delivered ? s->counters.sent : s->counters.failed);
    }
    if (!delivered)
      spdlog::warn("alert webhook {}: notification not delivered after {} attempt(s): {}", s->masked_url,
                   s->options.attempts, last_error);
  }
}

}  // namespace

Result<std::unique_ptr<AlertWebhook>> AlertWebhook::Create(asio::any_io_executor executor, WebhookOptions options) {
  auto s = std::make_shared<State>();
  s->masked_url = MaskWebhookUrl(options.url);
  auto u = boost::urls::parse_absolute_uri(options.url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty())
    return Fail(Error::InvalidArgument("invalid ALERT_WEBHOOK_URL: expected http(s)://host[:port]/path (got '" +
                                       s->masked_url + "')"));
  s->tls = u->scheme() == "https";
  s->host = u->host_address();
  s->port = u->has_port() ? std::string(u->port()) : (s->tls ? "443" : "80");
  s->host_header = u->has_port() ? std::string(u->encoded_host_and_port()) : std::string(u->encoded_host());
  s->target = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) s->target += "?" + std::string(u->encoded_query());
  if (u->has_userinfo()) s->authorization = "Basic " + Base64(u->user() + ":" + u->password());
  if (s->tls) {
    s->ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    s->ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (options.ca_file.empty()) s->ssl->set_default_verify_paths(ec);
    else s->ssl->load_verify_file(options.ca_file, ec);
    if (ec) return Fail(Error::Unavailable("alert webhook: cannot load the CA certificates: " + ec.message()));
  }
  s->executor = std::move(executor);
  s->options = std::move(options);
  s->options.attempts = std::max(s->options.attempts, 1);
  s->options.queue_limit = std::max<std::size_t>(s->options.queue_limit, 1);
  return std::unique_ptr<AlertWebhook>(new AlertWebhook(std::move(s)));
}

AlertWebhook::~AlertWebhook() { Stop(); }

bool AlertWebhook::Enqueue(std::string json) {
  bool start = false;
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopped || state_->queue.size() >= state_->options.queue_limit) {
      ++state_->counters.dropped;
      return false;
    }
    state_->queue.push_back(std::move(json));
    start = !state_->running;
    state_->running = true;
  }
  if (start) asio::co_spawn(state_->executor, Worker(state_), asio::detached);
  return true;
}

api::WebhookCounters AlertWebhook::Counters() const {
  std::lock_guard lock(state_->mu);
  api::WebhookCounters c = state_->counters;
  c.configured = true;
  c.queued = state_->queue.size();
  return c;
}

void AlertWebhook::Stop() {
  std::lock_guard lock(state_->mu);
  state_->stopped = true;
}

}  // namespace iam::app
