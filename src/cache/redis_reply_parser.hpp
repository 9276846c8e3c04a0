// RedisReplyParser: incremental RESP2 decoder over hiredis' redisReader. Feed() bytes as they
// arrive, then call Next() until it yields nullopt (a partial frame waits for more bytes). Malformed
// input fails with kUnavailable code kRedisProtocol and leaves the parser failed for good (the
// connection must be dropped); it never crashes. One parser per connection; not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "cache/redis_reply.hpp"
#include "domain/error.hpp"

struct redisReader;

namespace iam::cache {

class RedisReplyParser {
 public:
  RedisReplyParser();
  ~RedisReplyParser();
  RedisReplyParser(RedisReplyParser&&) noexcept;
  RedisReplyParser& operator=(RedisReplyParser&&) noexcept;

  // Appends bytes; fails only when the parser already failed (or out of memory).
  Result<void> Feed(std::string_view bytes);
  // The next complete reply, nullopt when more bytes are needed, or a failure on a protocol error.
  Result<std::optional<RedisReply>> Next();
  // Bytes fed but not yet consumed by a complete reply.
  std::size_t Buffered() const;

 private:
  struct ReaderDeleter {
    void operator()(redisReader* r) const;
  };
  std::unique_ptr<redisReader, ReaderDeleter> reader_;
};

}  // namespace iam::cache
