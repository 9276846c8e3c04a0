// /movimientos under concurrency and with Idempotency-Key, on both backends: no oversell, no lost
// update, and a key never creates two movements.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/harness/api_harness.hpp"
#include "api/movement_fixture.hpp"

namespace iam::test {
namespace {

namespace json = boost::json;

class MovementConcurrencyTest : public MovementTest {
 protected:
  // Runs fn(i) for i in [0, n) on `threads` client threads.
  template <typename Fn>
  void Parallel(int threads, int n, Fn fn) {
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (int i = next++; i < n; i = next++) fn(i);
      });
    for (auto& t : pool) t.join();
  }
};

TEST_P(MovementConcurrencyTest, NoOversellUnderSixteenConcurrentClients) {
  auto p = MakeProduct(a_.empresa_id, 100);
  std::atomic<int> created{0}, refused{0}, other{0};
  Parallel(16, 200, [&](int) {
    auto r = Move("SALIDA", 1, p, a_.empleado.token);
    if (r.status == 201) ++created;
    else if (r.status == 409 && r.json.at("code") == "STOCK_INSUFICIENTE") ++refused;
    else ++other;
  });
  EXPECT_EQ(created, 100);
  EXPECT_EQ(refused, 100);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(Stock(p), 0);
  EXPECT_EQ(h->Sql(R"(SELECT COUNT(*) FROM "MovimientoInventario" WHERE "productoId" = $1 AND "estado" = 'ACTIVO'
                      AND "tipo" = 'SALIDA')",
                   {p})[0]
                .Int(0),
            100);
  EXPECT_EQ(Version(p), 1 + 100);
}

TEST_P(MovementConcurrencyTest, ConcurrentMixKeepsStockEqualToTheLedger) {
  const std::int64_t initial = 20;
  auto p = MakeProduct(a_.empresa_id, initial);
  std::atomic<std::int64_t> accepted_net{0};
  std::atomic<int> accepted{0}, other{0};
  Parallel(16, 240, [&](int i) {
    std::mt19937 rng(static_cast<unsigned>(i));
    bool entrada = rng() % 2 == 0;
    std::int64_t q = 1 + static_cast<std::int64_t>(rng() % 5);
    auto r = Move(entrada ? "ENTRADA" : "SALIDA", q, p, a_.admin.token);
    if (r.status == 201) {
      accepted_net += entrada ? q : -q;
      ++accepted;
    } else if (r.status != 409) {
      ++other;
    }
  });
  EXPECT_EQ(other, 0);
  EXPECT_EQ(Stock(p), initial + accepted_net);
  EXPECT_EQ(Stock(p), initial + LedgerSum(p));
  EXPECT_EQ(Version(p), 1 + accepted);
  EXPECT_GE(Stock(p), 0);
}

TEST_P(MovementConcurrencyTest, RepeatedKeyReturnsTheFirstAnswerAndChangesNothing) {
  auto p = MakeProduct(a_.empresa_id, 10);
  auto first = Move("SALIDA", 2, p, a_.empleado.token, "order-42");
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = Move("SALIDA", 2, p, a_.admin.token, "order-42");  // another user of the same tenant
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.json, first.json);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(Stock(p), 8);
  EXPECT_EQ(Rows(p), 1);
  EXPECT_EQ(Version(p), 2);

  auto reused = Move("SALIDA", 3, p, a_.empleado.token, "order-42");
  EXPECT_EQ(reused.status, 409);
  EXPECT_EQ(reused.json.at("code"), "IDEMPOTENCY_KEY_REUSED");
  EXPECT_EQ(Stock(p), 8);

  // Keys are per tenant: another tenant's identical key is its own request.
  auto b = h->CreateTenant("Other");
  auto q = MakeProduct(b.empresa_id, 10);
  EXPECT_EQ(Move("SALIDA", 2, q, b.admin.token, "order-42").status, 201);
  EXPECT_EQ(Stock(q), 8);

  // A refused request stores no key: once the stock is there, the same key goes through.
  auto big = Move("SALIDA", 50, p, a_.admin.token, "order-43");
  EXPECT_EQ(big.status, 409);
  EXPECT_EQ(Move("ENTRADA", 50, p, a_.admin.token).status, 201);
  EXPECT_EQ(Move("SALIDA", 50, p, a_.admin.token, "order-43").status, 201);
  EXPECT_EQ(Move("SALIDA", 50, p, a_.admin.token, "order-43").status, 201);
  EXPECT_EQ(Stock(p), 8);
  EXPECT_EQ(h->Sql(R"(SELECT COUNT(*) FROM "iam_idempotency_keys" WHERE "empresa_id" = $1)", {a_.empresa_id})[0].Int(0), 2);
}

TEST_P(MovementConcurrencyTest, ConcurrentSameKeyCreatesOneMovement) {
  auto p = MakeProduct(a_.empresa_id, 100);
  std::vector<HttpResult> results(16);
  Parallel(16, 16, [&](int i) { results[static_cast<std::size_t>(i)] = Move("SALIDA", 1, p, a_.empleado.token, "dup-1"); });
  std::set<std::string> bodies;
  for (const auto& r : results) {
    EXPECT_EQ(r.status, 201) << r.body;
    bodies.insert(r.body);
  }
  EXPECT_EQ(bodies.size(), 1u) << "every answer is the winner's";
  EXPECT_EQ(Rows(p), 1);
  EXPECT_EQ(Stock(p), 99);
  EXPECT_EQ(Version(p), 2);
}

TEST_P(MovementConcurrencyTest, ExpiredKeyIsClaimedAfresh) {
  auto p = MakeProduct(a_.empresa_id, 10);
  ASSERT_EQ(Move("SALIDA", 1, p, a_.admin.token, "old").status, 201);
  h->Sql(R"(UPDATE "iam_idempotency_keys" SET "created_at_ms" = "created_at_ms" - $1)",
         {std::int64_t{49} * 3600 * 1000});
  EXPECT_EQ(Move("SALIDA", 2, p, a_.admin.token, "old").status, 201) << "older than 48 h: a new request";
  EXPECT_EQ(Stock(p), 7);
}

IAM_API_BACKENDS(MovementConcurrencyTest);

}  // namespace
}  // namespace iam::test
