#include "app/kpi_check_command.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <string>

namespace iam::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;

struct Answer {
  int status = 0;
  std::string x_cache, x_cache_tier, body;
  double ms = 0;
};

// One request on a fresh connection; nullopt (with `error` set) when the service cannot be reached.
class Client {
 public:
  Client(std::string host, std::string port, std::chrono::milliseconds timeout)
      : host_(std::move(host)), port_(std::move(port)), timeout_(timeout) {}

  std::optional<Answer> Send(bhttp::verb method, const std::string& target, const std::string& body = {}) {
    try {
      const auto start = std::chrono::steady_clock::now();
      asio::io_context io;
      beast::tcp_stream stream(io);
      stream.expires_after(timeout_);
      stream.connect(asio::ip::tcp::resolver(io).resolve(host_, port_));
      bhttp::request<bhttp::string_body> req{method, target, 11};
      req.set(bhttp::field::host, host_);
      if (!token_.empty()) req.set(bhttp::field::authorization, "Bearer " + token_);
      if (!body.empty()) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = body;
      }
      req.prepare_payload();
      bhttp::write(stream, req);
      beast::flat_buffer buffer;
      bhttp::response<bhttp::string_body> res;
      bhttp::read(stream, buffer, res);
      Answer a;
      a.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      a.status = static_cast<int>(res.result_int());
      a.x_cache = std::string(res["X-Cache"]);
      a.x_cache_tier = std::string(res["X-Cache-Tier"]);
      a.body = std::move(res.body());
      return a;
    } catch (const boost::system::system_error& e) {
      error = e.code().message();
      return std::nullopt;
    } catch (const std::exception& e) {
      error = e.what();
      return std::nullopt;
    }
  }

  std::string token_;
  std::string error;

 private:
  std::string host_, port_;
  std::chrono::milliseconds timeout_;
};

std::string Cache(const Answer& a) {
  return a.x_cache_tier.empty() ? a.x_cache : fmt::format("{} ({})", a.x_cache, a.x_cache_tier);
}

std::optional<json::value> Json(const Answer& a) {
  boost::system::error_code ec;
  json::value v = json::parse(a.body, ec);
  if (ec) return std::nullopt;
  return v;
}

int Fail(const std::string& what, const std::string& hint) {
  fmt::print("FAIL  {}\n      hint: {}\n", what, hint);
  return 1;
}

}  // namespace

int RunKpiCheck(const KpiCheckOptions& options) {
  auto url = boost::urls::parse_uri(options.base_url);
  if (!url || url->scheme() != "http" || url->host().empty()) {
    fmt::print(stderr, "kpi-check: --base-url must be http://host[:port], got '{}'\n", options.base_url);
    return 2;
  }
  Client client(std::string(url->host()), url->has_port() ? std::string(url->port()) : "80",
                std::chrono::milliseconds(options.timeout_ms));
  fmt::print("KPI cache check against {}\n", options.base_url);

  json::object login{{"email", options.email}, {"password", options.password}};
  auto l = client.Send(bhttp::verb::post, "/auth/login", json::serialize(login));
  if (!l) return Fail("connect: " + client.error, "is `iam serve` running at that address?");
  auto lj = Json(*l);
  if (l->status != 200 || !lj || !lj->is_object() || !lj->as_object().contains("token"))
    return Fail(fmt::format("login answered {}", l->status), "check --email/--password (an ADMIN of a tenant)");
  client.token_ = std::string(lj->as_object().at("token").as_string());
  fmt::print("ok    login as {}\n", options.email);

  auto clear = client.Send(bhttp::verb::post, "/auth/admin/cache/clear");
  if (!clear || clear->status != 200)
    return Fail("clearing the tenant's cache failed", "the user must be ADMIN or SUPERADMIN of a tenant");
  fmt::print("ok    tenant cache cleared\n");

  auto first = client.Send(bhttp::verb::get, "/dashboard-cqrs/kpis");
  auto second = client.Send(bhttp::verb::get, "/dashboard-cqrs/kpis");
  if (!first || !second || first->status != 200 || second->status != 200)
    return Fail("GET /dashboard-cqrs/kpis failed", "see the service's log");
  fmt::print("{}  first read:  {:<10} {:8.2f} ms\n", first->x_cache == "MISS" ? "ok  " : "FAIL", Cache(*first), first->ms);
  fmt::print("{}  second read: {:<10} {:8.2f} ms\n", second->x_cache == "HIT" ? "ok  " : "FAIL", Cache(*second),
             second->ms);

  auto products = client.Send(bhttp::verb::get, "/productos?limit=1");
  auto pj = products ? Json(*products) : std::nullopt;
  const json::value* items = pj && pj->is_object() ? pj->as_object().if_contains("productos") : nullptr;  // api.md list
  if (items == nullptr || !items->is_array() || items->as_array().empty())
    return Fail("no product to write a movement for", "seed demo data (`iam seed`) or create a product");
  const auto product_id = items->as_array()[0].as_object().at("id").to_number<std::int64_t>();
  json::object movement{{"tipo", "ENTRADA"}, {"cantidad", 1}, {"productoId", product_id}, {"motivo", "iam kpi-check"}};
  auto created = client.Send(bhttp::verb::post, "/movimientos", json::serialize(movement));
  auto cj = created ? Json(*created) : std::nullopt;
  const json::value* mov = nullptr;  // {movimiento: {id, ...}, producto: {...}}
  if (cj && cj->is_object() && cj->as_object().contains("movimiento")) mov = &cj->as_object().at("movimiento");
  if (!created || created->status != 201 || mov == nullptr || !mov->is_object() || !mov->as_object().contains("id"))
    return Fail(fmt::format("write (POST /movimientos) answered {}", created ? created->status : 0),
                "the user must be allowed to write movements");
  const auto movement_id = mov->as_object().at("id").to_number<std::int64_t>();
  auto third = client.Send(bhttp::verb::get, "/dashboard-cqrs/kpis");
  // Undo the write: a soft delete reverses its effect on stock.
  auto undo = client.Send(bhttp::verb::delete_, fmt::format("/movimientos/{}", movement_id));
  fmt::print("ok    write: ENTRADA of 1 on product {} (movement {}, deleted again: {})\n", product_id, movement_id,
             undo && undo->status < 300 ? "yes" : "NO");
  if (!third || third->status != 200) return Fail("GET /dashboard-cqrs/kpis after the write failed", "see the service's log");
  fmt::print("{}  after write: {:<10} {:8.2f} ms\n", third->x_cache == "MISS" ? "ok  " : "FAIL", Cache(*third), third->ms);

  if (auto stats = client.Send(bhttp::verb::get, "/auth/admin/cache-stats"); stats && stats->status == 200) {
    if (auto sj = Json(*stats); sj && sj->is_object()) {
      const auto& o = sj->as_object();
      fmt::print("stats redisConnected={} cacheHits={} cacheMisses={} hitRate={} memoryUsage={}\n",
                 json::serialize(o.at("redisConnected")), json::serialize(o.at("cacheHits")),
                 json::serialize(o.at("cacheMisses")), json::serialize(o.at("hitRate")),
                 json::serialize(o.at("memoryUsage")));
    }
  }
  if (first->x_cache != "MISS" || second->x_cache != "HIT" || third->x_cache != "MISS")
    return Fail("the sequence was not MISS, HIT, MISS",
                "a HIT after the write means invalidation failed; a MISS on the second read means nothing is cached");
  fmt::print("PASS  MISS → HIT ({:.1f}× faster) → write → MISS\n", second->ms > 0 ? first->ms / second->ms : 0.0);
  return 0;
}

}  // namespace iam::app
