#include "cache/redis_reply_parser.hpp"

#include <hiredis/read.h>

#include "cache/redis_error.hpp"

#include <algorithm>
#include <new>
#include <utility>

namespace iam::cache {
namespace {

// hiredis builds the reply tree through these callbacks. The root is heap-allocated and owned by
// the reader until redisReaderGetReply hands it over (or an error frees it through FreeObject);
// children live inside their parent's `elements`. hiredis only ever frees the root.
// An array's vector grows as its elements arrive (hiredis delivers them in order, idx 0, 1, …)
// instead of being sized to the announced count: "*155555557\r\n", 13 bytes from a hostile or
// broken server, would otherwise allocate 11 GB at once (found by fuzz/resp_reader.cpp). Growing
// moves only finished siblings: hiredis holds pointers to the arrays still being filled (each one
// the last element of its parent), never to a finished element.
// Exceptions must not cross the C frames: allocation failure returns nullptr, which hiredis
// reports as an out-of-memory error.
void* Place(const redisReadTask* task, RedisReply&& value) noexcept {
  try {
    if (task->parent != nullptr) {
      auto* parent = static_cast<RedisReply*>(task->parent->obj);
      if (task->idx < 0 || static_cast<std::size_t>(task->idx) != parent->elements.size()) return nullptr;
      parent->elements.push_back(std::move(value));
      return &parent->elements.back();
    }
    return new RedisReply(std::move(value));
  } catch (...) {
    return nullptr;
  }
}

RedisReply::Type TypeOf(int hiredis_type) {
  switch (hiredis_type) {
    case REDIS_REPLY_STATUS: return RedisReply::Type::kStatus;
    case REDIS_REPLY_ERROR: return RedisReply::Type::kError;
    default: return RedisReply::Type::kString;
  }
}

void* CreateString(const redisReadTask* task, char* str, size_t len) {
  RedisReply r;
  r.type = TypeOf(task->type);
  try {
    r.str.assign(str, len);
  } catch (...) {
    return nullptr;
  }
  return Place(task, std::move(r));
}

void* CreateArray(const redisReadTask* task, int elements) {
  RedisReply r;
  r.type = RedisReply::Type::kArray;
  try {
    r.elements.reserve(static_cast<std::size_t>(std::clamp(elements, 0, 64)));  // the rest as they arrive
  } catch (...) {
    return nullptr;
  }
  return Place(task, std::move(r));
}

void* CreateInteger(const redisReadTask* task, long long value) { return Place(task, RedisReply::Integer(value)); }

void* CreateNil(const redisReadTask* task) { return Place(task, RedisReply::Nil()); }

void FreeObject(void* obj) { delete static_cast<RedisReply*>(obj); }

redisReplyObjectFunctions kFunctions = {CreateString, CreateArray, CreateInteger, CreateNil, FreeObject};

Error ProtocolError(const redisReader* r) {
  return RedisError(kRedisProtocol, std::string("redis protocol error: ") + r->errstr);
}

}  // namespace

void RedisReplyParser::ReaderDeleter::operator()(redisReader* r) const { redisReaderFree(r); }

RedisReplyParser::RedisReplyParser() : reader_(redisReaderCreateWithFunctions(&kFunctions)) {
  if (!reader_) throw std::bad_alloc();
}
RedisReplyParser::~RedisReplyParser() = default;
RedisReplyParser::RedisReplyParser(RedisReplyParser&&) noexcept = default;
RedisReplyParser& RedisReplyParser::operator=(RedisReplyParser&&) noexcept = default;

Result<void> RedisReplyParser::Feed(std::string_view bytes) {
  if (redisReaderFeed(reader_.get(), bytes.data(), bytes.size()) != REDIS_OK) return Fail(ProtocolError(reader_.get()));
  return {};
}

Result<std::optional<RedisReply>> RedisReplyParser::Next() {
  void* out = nullptr;
  if (redisReaderGetReply(reader_.get(), &out) != REDIS_OK) return Fail(ProtocolError(reader_.get()));
  if (out == nullptr) return std::optional<RedisReply>{};
  std::unique_ptr<RedisReply> root(static_cast<RedisReply*>(out));
  return std::optional<RedisReply>(std::move(*root));
}

std::size_t RedisReplyParser::Buffered() const { return reader_->err != 0 ? 0 : reader_->len - reader_->pos; }

}  // namespace iam::cache
