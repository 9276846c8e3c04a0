// RedisStream: the byte stream of one Redis connection attempt, plain TCP or TLS over TCP, behind
// one read/write interface. Owned by a RedisConnection (through shared_ptr, so that an operation
// still in flight after Close() keeps it alive); used only on that connection's strand. Close()
// makes pending operations complete with an error.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <optional>
#include <string>

namespace iam::cache::detail {

class RedisStream {
 public:
  using tcp = boost::asio::ip::tcp;

  // `tls`: the client's TLS context, or nullptr for plain TCP. It must outlive the stream.
  RedisStream(const boost::asio::any_io_executor& ex, boost::asio::ssl::context* tls);

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  bool tls() const { return tls_.has_value(); }

  // TLS only: SNI (for a host name) and peer verification of `host` (name or IP) per `verify`.
  // Fails (returns false, with `error`) when OpenSSL refuses the settings.
  bool PrepareTls(const std::string& host, bool verify, std::string& error);

  template <typename Token>
  auto AsyncHandshake(Token&& token) {
    return tls_->async_handshake(boost::asio::ssl::stream_base::client, std::forward<Token>(token));
  }

  template <typename Buffer, typename Token>
  auto AsyncReadSome(const Buffer& buffer, Token&& token) {
    if (tls_) return tls_->async_read_some(buffer, std::forward<Token>(token));
    return plain_->async_read_some(buffer, std::forward<Token>(token));
  }

  template <typename Buffer, typename Token>
  auto AsyncWrite(const Buffer& buffer, Token&& token) {
    if (tls_) return boost::asio::async_write(*tls_, buffer, std::forward<Token>(token));
    return boost::asio::async_write(*plain_, buffer, std::forward<Token>(token));
  }

  void Close();

 private:
  std::optional<tcp::socket> plain_;
  std::optional<boost::asio::ssl::stream<tcp::socket>> tls_;
};

}  // namespace iam::cache::detail
