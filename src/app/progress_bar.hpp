// ProgressBar: progress of a long batch job (`iam seed`) on one line. On a terminal the line is
// redrawn in place with '\r' (at most ten times a second); otherwise Update() prints nothing and
// callers print their own plain lines with Println(). One thread; writes only to `out`.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace iam::app {

// "[#######-----------]  35%  tenants 1/3  movements 35,000/100,000  52,310/s"
std::string RenderProgress(int tenants_done, int tenants_total, std::int64_t movements_done,
                           std::int64_t movements_total, double seconds);

// 1234567 -> "1,234,567".
std::string WithThousands(std::int64_t n);

class ProgressBar {
 public:
  ProgressBar(std::FILE* out, bool interactive, int tenants_total, std::int64_t movements_total);
  bool interactive() const { return interactive_; }
  double ElapsedSeconds() const;
  // Records progress; redraws the bar when interactive and the last redraw is 100 ms old.
  void Update(int tenants_done, std::int64_t movements_done);
  // Prints a whole line (on a terminal: clears the bar first; the next Update redraws it).
  void Println(std::string_view line);
  // Draws the final state and ends the line (terminal only). Idempotent.
  void Finish();

 private:
  void Draw();

  std::FILE* out_;
  bool interactive_;
  int tenants_total_;
  std::int64_t movements_total_;
  int tenants_done_ = 0;
  std::int64_t movements_done_ = 0;
  std::size_t drawn_width_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace iam::app
