#include "store/database.hpp"

#include "store/postgres_database.hpp"
#include "store/sqlite_database.hpp"

namespace iam::store {

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
    other.pool_ = nullptr;
  }
  return *this;
}

Lease::~Lease() { Release(); }

void Lease::Release() {
  if (pool_ != nullptr && conn_) pool_->Return(std::move(conn_));
  pool_ = nullptr;
}

Result<std::unique_ptr<Database>> OpenDatabase(const DatabaseOptions& options) {
  std::string_view url = options.url;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return OpenPostgresDatabase(options);
  if (url.starts_with("sqlite:")) return OpenSqliteDatabase(options);
  return Fail(Error::InvalidArgument("DATABASE_URL must start with postgres://, postgresql:// or sqlite:"));
}

}  // namespace iam::store
