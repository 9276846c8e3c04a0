#include "cache/detail/redis_stream.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace iam::cache::detail {

namespace asio = boost::asio;

RedisStream::RedisStream(const asio::any_io_executor& ex, asio::ssl::context* tls) {
  if (tls != nullptr) {
    tls_.emplace(ex, *tls);
  } else {
    plain_.emplace(ex);
  }
}

bool RedisStream::PrepareTls(const std::string& host, bool verify, std::string& error) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  bool is_ip = !ec;
  // SNI carries a host name only (RFC 6066 forbids IP literals).
  if (!is_ip && SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str()) != 1) {
    error = "cannot set the TLS server name";
    return false;
  }
  if (verify) {
    tls_->set_verify_mode(asio::ssl::verify_peer, ec);
    if (!ec) tls_->set_verify_callback(asio::ssl::host_name_verification(host), ec);
  } else {
    tls_->set_verify_mode(asio::ssl::verify_none, ec);
  }
  if (ec) {
    error = ec.message();
    return false;
  }
  return true;
}

void RedisStream::Close() {
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

}  // namespace iam::cache::detail
