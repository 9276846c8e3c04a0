#include "app/progress_bar.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace iam::app {
namespace {

constexpr int kBarWidth = 24;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

std::string WithThousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string RenderProgress(int tenants_done, int tenants_total, std::int64_t movements_done,
                           std::int64_t movements_total, double seconds) {
  double fraction = movements_total > 0 ? static_cast<double>(movements_done) / static_cast<double>(movements_total)
                                        : (tenants_total > 0 ? static_cast<double>(tenants_done) / tenants_total : 1);
  fraction = std::clamp(fraction, 0.0, 1.0);
  int filled = static_cast<int>(fraction * kBarWidth);
  auto rate = static_cast<std::int64_t>(seconds > 0 ? static_cast<double>(movements_done) / seconds : 0);
  return fmt::format("[{}{}] {:3}%  tenants {}/{}  movements {}/{}  {}/s", std::string(filled, '#'),
                     std::string(kBarWidth - filled, '-'), static_cast<int>(fraction * 100), tenants_done,
                     tenants_total, WithThousands(movements_done), WithThousands(movements_total), WithThousands(rate));
}

ProgressBar::ProgressBar(std::FILE* out, bool interactive, int tenants_total, std::int64_t movements_total)
    : out_(out), interactive_(interactive), tenants_total_(tenants_total), movements_total_(movements_total) {}

double ProgressBar::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::Update(int tenants_done, std::int64_t movements_done) {
  tenants_done_ = tenants_done;
  movements_done_ = movements_done;
  if (!interactive_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval && tenants_done_ < tenants_total_) return;
  last_draw_ = now;
  Draw();
}

void ProgressBar::Println(std::string_view line) {
  if (interactive_ && drawn_width_ > 0) fmt::print(out_, "\r{}\r", std::string(drawn_width_, ' '));
  drawn_width_ = 0;
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

void ProgressBar::Finish() {
  if (!interactive_ || finished_) return;
  Draw();
  fmt::print(out_, "\n");
  std::fflush(out_);
  finished_ = true;
}

// Pads with spaces over a longer previous line, so no stale characters remain.
void ProgressBar::Draw() {
  std::string line = RenderProgress(tenants_done_, tenants_total_, movements_done_, movements_total_, ElapsedSeconds());
  std::size_t width = line.size();
  if (width < drawn_width_) line.append(drawn_width_ - width, ' ');
  fmt::print(out_, "\r{}", line);
  std::fflush(out_);
  drawn_width_ = width;
}

}  // namespace iam::app
