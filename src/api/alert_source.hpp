// AlertSource: what the api layer reads of the alert monitor (cache.md guarantee 8), which app
// owns and runs: the state of every rule, recent transitions and webhook delivery counters, as one
// consistent copy. Implementations are thread-safe; Report() never blocks on I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/alert_rules.hpp"

namespace iam::api {

struct AlertRuleReport {
  domain::AlertState state;
  std::string message;  // one line for people, e.g. "cache hit rate 42.0 % < 80.0 % (300 s, 1200 lookups)"
};

struct AlertHistoryEntry {
  domain::AlertEvent event;
  std::string message;
};

struct WebhookCounters {
  bool configured = false;
  std::uint64_t sent = 0;     // deliveries a receiver acknowledged with 2xx
  std::uint64_t failed = 0;   // deliveries given up after every attempt
  std::uint64_t dropped = 0;  // alerts not queued because the queue was full
  std::uint64_t retries = 0;  // attempts after a first failed one
  std::size_t queued = 0;     // waiting or in flight
};

struct AlertReport {
  domain::AlertThresholds thresholds;
  std::int64_t interval_ms = 0;             // how often readings are taken
  std::vector<AlertRuleReport> rules;       // every rule, in AlertRule order
  std::vector<AlertHistoryEntry> history;   // newest first, bounded
  WebhookCounters webhook;
};

class AlertSource {
 public:
  virtual ~AlertSource() = default;
  virtual AlertReport Report() const = 0;
};

}  // namespace iam::api
