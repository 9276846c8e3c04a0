#include "faults/loopback_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>

namespace iam::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyLimit = 64u << 20;
constexpr auto kMaxIdle = std::chrono::seconds(1);  // well below the service's keep-alive wait

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

boost::json::value HttpReply::Json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

std::string HttpReply::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

struct LoopbackClient::Call {
  bhttp::request<bhttp::string_body> request;
  HttpReply reply;
  beast::flat_buffer buffer;
};

LoopbackClient::LoopbackClient(int port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}

LoopbackClient::~LoopbackClient() { Close(); }

void LoopbackClient::Close() {
  if (!stream_) return;
  boost::system::error_code ignored;
  stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_->close();
  stream_.reset();
}

asio::awaitable<void> LoopbackClient::Exchange(Call& call) {
  if (!stream_) {
    stream_.emplace(io_);
    stream_->expires_after(timeout_);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_));
    auto [ec] = co_await stream_->async_connect(endpoint, kUseTuple);
    if (ec) {
      call.reply.error = "connect: " + ec.message();
      co_return;
    }
  }
  stream_->expires_after(timeout_);
  auto [write_ec, written] = co_await bhttp::async_write(*stream_, call.request, kUseTuple);
  if (write_ec) {
    call.reply.error = "write: " + write_ec.message();
    co_return;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kBodyLimit);
  auto [read_ec, read] = co_await bhttp::async_read(*stream_, call.buffer, parser, kUseTuple);
  if (read_ec) {
    call.reply.error = "read: " + read_ec.message();
    co_return;
  }
  auto& res = parser.get();
  call.reply.status = static_cast<int>(res.result_int());
  call.reply.body = std::move(res.body());
  for (const auto& field : res) call.reply.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
  if (!res.keep_alive()) call.reply.error = "closed";  // not an error: tells Request to reconnect next time
}

HttpReply LoopbackClient::Request(const std::string& method, const std::string& target, const std::string& body,
                                  const std::string& token, const HeaderList& headers) {
  Call call;
  call.request.method_string(method);
  call.request.target(target);
  call.request.version(11);
  call.request.set(bhttp::field::host, "127.0.0.1");
  call.request.keep_alive(true);
  if (!token.empty()) call.request.set(bhttp::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) call.request.set(name, value);
  if (!body.empty()) {
    call.request.set(bhttp::field::content_type, "application/json");
    call.request.body() = body;
  }
  call.request.prepare_payload();
  if (stream_ && std::chrono::steady_clock::now() - last_used_ > kMaxIdle) Close();
  asio::co_spawn(io_, Exchange(call), asio::detached);
  io_.run();
  io_.restart();
  // Any failure (and a server that closes) leaves the connection in an unknown state: start afresh.
  if (call.reply.status == 0 || !call.reply.error.empty()) Close();
  if (call.reply.status != 0) call.reply.error.clear();
  last_used_ = std::chrono::steady_clock::now();
  return std::move(call.reply);
}

}  // namespace iam::test
