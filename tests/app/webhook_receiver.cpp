#include "app/webhook_receiver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace iam::test {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

WebhookReceiver::WebhookReceiver(std::vector<int> statuses, int then)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      statuses_(std::move(statuses)),
      then_(then) {
  Start();
}

WebhookReceiver::WebhookReceiver(const std::string& cert_file, const std::string& key_file)
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      tls_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server)) {
  tls_->use_certificate_chain_file(cert_file);
  tls_->use_private_key_file(key_file, asio::ssl::context::pem);
  Start();
}

void WebhookReceiver::Start() {
  port_ = acceptor_.local_endpoint().port();
  Accept();
  thread_ = std::thread([this] { io_.run(); });
}

WebhookReceiver::~WebhookReceiver() {
  io_.stop();
  thread_.join();
}

std::string WebhookReceiver::Url(const std::string& path_and_query) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path_and_query;
}

std::vector<ReceivedRequest> WebhookReceiver::Requests() const {
  std::lock_guard lock(mu_);
  return received_;
}

bool WebhookReceiver::WaitForRequests(std::size_t n, std::chrono::milliseconds timeout) const {
  return Eventually([&] { return Requests().size() >= n; }, timeout);
}

int WebhookReceiver::NextStatus() {
  std::lock_guard lock(mu_);
  const std::size_t i = received_.size() - 1;
  return i < statuses_.size() ? statuses_[i] : then_;
}

template <typename Stream>
asio::awaitable<bool> WebhookReceiver::Exchange(Stream& stream, std::shared_ptr<void> keep) {
  boost::beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> req;
  if (auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, kUseTuple); ec) co_return false;
  {
    std::lock_guard lock(mu_);
    received_.push_back({std::string(req.method_string()), std::string(req.target()),
                         std::string(req[bhttp::field::content_type]), std::string(req[bhttp::field::authorization]),
                         req.body()});
  }
  const int status = NextStatus();
  if (status == 0) {
    held_.push_back(std::move(keep));  // never answered; closed when the receiver goes
    co_return false;
  }
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, "text/plain");
  res.set(bhttp::field::connection, "close");
  res.body() = "ok";
  res.prepare_payload();
  co_await bhttp::async_write(stream, res, kUseTuple);
  co_return true;
}

void WebhookReceiver::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    if (!tls_) {
      auto sock = std::make_shared<tcp::socket>(std::move(socket));
      asio::co_spawn(
          io_,
          [this, sock]() -> asio::awaitable<void> {
            if (!co_await Exchange(*sock, sock)) co_return;
            boost::system::error_code ignored;
            sock->shutdown(tcp::socket::shutdown_both, ignored);
          },
          asio::detached);
    } else {
      auto stream = std::make_shared<asio::ssl::stream<tcp::socket>>(std::move(socket), *tls_);
      asio::co_spawn(
          io_,
          [this, stream]() -> asio::awaitable<void> {
            // A client that refuses our certificate ends here: nothing is recorded.
            if (auto [hec] = co_await stream->async_handshake(asio::ssl::stream_base::server, kUseTuple); hec) co_return;
            if (co_await Exchange(*stream, stream)) co_await stream->async_shutdown(kUseTuple);
          },
          asio::detached);
    }
    Accept();
  });
}

}  // namespace iam::test
