// AlertWebhook: delivers alert notifications as JSON POSTs to ALERT_WEBHOOK_URL (http:// or
// https:// with certificate and host-name verification), off the request path: Enqueue() only
// appends to a bounded queue and returns; one worker coroutine on the given executor sends them in
// order, each with a per-attempt timeout and up to `attempts` tries with doubling back-off. A full
// queue drops the new notification (counted) instead of growing. Thread-safe. The URL may carry
// credentials or a token: it is never logged except through MaskWebhookUrl().
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "api/alert_source.hpp"
#include "domain/error.hpp"

namespace iam::app {

struct WebhookOptions {
  std::string url;
  std::chrono::milliseconds timeout{5000};   // one attempt: resolve, connect, TLS, write and read
  int attempts = 3;
  std::chrono::milliseconds backoff{1000};   // before the second attempt; doubled before each next one
  std::size_t queue_limit = 64;              // notifications waiting or in flight
  std::string ca_file;  // https: PEM file of the CAs to trust instead of the system's (tests, private CAs)
};

class AlertWebhook {
 public:
  // kInvalidArgument when the URL is not http(s)://host[:port][/path][?query].
  static Result<std::unique_ptr<AlertWebhook>> Create(boost::asio::any_io_executor executor, WebhookOptions options);
  ~AlertWebhook();
  AlertWebhook(const AlertWebhook&) = delete;
  AlertWebhook& operator=(const AlertWebhook&) = delete;

  // Queues one JSON document; false (and counted as dropped) when the queue is full or stopped.
  bool Enqueue(std::string json);
  api::WebhookCounters Counters() const;
  // No new attempt starts after this; an attempt in flight ends by its timeout.
  void Stop();

  struct State;

 private:
  explicit AlertWebhook(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;  // shared with the worker coroutine, which may outlive this object
};

}  // namespace iam::app
