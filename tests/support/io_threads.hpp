// IoThreads: an io_context run by two threads until destruction (a work guard keeps it running
// meanwhile), and Run(), which awaits one coroutine on it from the test's thread.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <thread>
#include <vector>

namespace iam::test {

class IoThreads {
 public:
  IoThreads() : guard_(boost::asio::make_work_guard(ioc_)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~IoThreads() {
    guard_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  boost::asio::io_context& ioc() { return ioc_; }
  template <typename T>
  T Run(boost::asio::awaitable<T> op) {
    return boost::asio::co_spawn(ioc_, std::move(op), boost::asio::use_future).get();
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

}  // namespace iam::test
