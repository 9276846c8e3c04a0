// Test-only: a tiny HTTP server on 127.0.0.1 (ephemeral port, its own thread) standing in for an
// alert webhook receiver. It records every request and answers each with the next status of a
// script; a status of 0 means "never answer" (the connection is held open until destruction).
// With a certificate and key (PEM files), it speaks HTTPS.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/eventually.hpp"

namespace iam::test {

struct ReceivedRequest {
  std::string method, target, content_type, authorization, body;
};

class WebhookReceiver {
 public:
  // The i-th request gets statuses[i]; later ones get `then`.
  explicit WebhookReceiver(std::vector<int> statuses = {}, int then = 200);
  // HTTPS, with the server certificate chain and key in PEM files.
  WebhookReceiver(const std::string& cert_file, const std::string& key_file);
  ~WebhookReceiver();

  unsigned short port() const { return port_; }
  std::string Url(const std::string& path_and_query = "/hook") const;  // http:// or https://127.0.0.1:PORT…
  std::vector<ReceivedRequest> Requests() const;
  // Waits until at least `n` requests arrived (true) or `timeout` passed.
  bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

 private:
  void Start();
  void Accept();
  int NextStatus();
  template <typename Stream>
  boost::asio::awaitable<bool> Exchange(Stream& stream, std::shared_ptr<void> keep);  // false: not answered

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::vector<int> statuses_;
  int then_ = 200;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::shared_ptr<void>> held_;  // unanswered connections; io thread only
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> received_;
  std::thread thread_;
};

}  // namespace iam::test
