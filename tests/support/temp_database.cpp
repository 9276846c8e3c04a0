#include "support/temp_database.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace iam::test {
namespace {

std::string RandomSuffix() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(dist(rd) & 0xffffffffffffULL));
  return buf;
}

// Replaces the database name (path) of a postgres URL, keeping any query string.
std::string WithDatabase(const std::string& url, const std::string& name) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme + 3);
  auto query = url.find('?', scheme + 3);
  std::string base = url.substr(0, slash == std::string::npos ? (query == std::string::npos ? url.size() : query) : slash);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + tail;
}

void AdminExec(const std::string& server_url, const std::string& sql) {
  auto db = store::OpenDatabase({.url = server_url, .pool_size = 1});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  auto lease = (*db)->Acquire();
  ASSERT_TRUE(lease.has_value());
  auto r = (*lease)->ExecScript(sql);
  ASSERT_TRUE(r.has_value()) << r.error().message;
}

}  // namespace

std::unique_ptr<TempDatabase> TempDatabase::Create(const std::string& kind, const std::string& server_url) {
  auto t = std::unique_ptr<TempDatabase>(new TempDatabase());
  t->kind_ = kind;
  if (kind == "sqlite") {
    t->dir_ = (std::filesystem::temp_directory_path() / ("iam_t_" + RandomSuffix())).string();
    std::filesystem::create_directories(t->dir_);
    t->url_ = "sqlite:" + t->dir_ + "/iam.db";
  } else {
    t->server_url_ = server_url;
    t->name_ = "iam_t_" + RandomSuffix();
    AdminExec(server_url, "CREATE DATABASE " + t->name_);
    t->url_ = WithDatabase(server_url, t->name_);
  }
  return t;
}

TempDatabase::~TempDatabase() {
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
  if (!name_.empty()) AdminExec(server_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

std::unique_ptr<store::Database> TempDatabase::Open(int pool_size) const {
  auto db = store::OpenDatabase({.url = url_, .pool_size = pool_size});
  if (!db) {
    ADD_FAILURE() << "cannot open " << url_ << ": " << db.error().message;
    return nullptr;
  }
  return std::move(*db);
}

}  // namespace iam::test
