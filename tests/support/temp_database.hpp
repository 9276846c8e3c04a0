// Test-only throwaway databases: a SQLite file in a temp directory, or a fresh PostgreSQL database
// (CREATE DATABASE iam_t_<random> on the harness server) dropped again on destruction.
#pragma once

#include <memory>
#include <string>

#include "store/database.hpp"

namespace iam::test {

class TempDatabase {
 public:
  // kind: "sqlite" or "postgres". For postgres, server_url is the harness URL (IAM_TEST_PG_URL).
  static std::unique_ptr<TempDatabase> Create(const std::string& kind, const std::string& server_url = {});
  ~TempDatabase();

  const std::string& url() const { return url_; }
  // Opens a pool on it. Test fails (ADD_FAILURE) and returns null when it cannot.
  std::unique_ptr<store::Database> Open(int pool_size = 4) const;

 private:
  std::string kind_, url_, server_url_, name_, dir_;
};

}  // namespace iam::test
