#include "app/progress_bar.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace iam::app {
namespace {

TEST(ProgressBarTest, ThousandsSeparators) {
  struct Case {
    std::int64_t n;
    const char* text;
  };
  const Case kCases[] = {{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-45000, "-45,000"}};
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.n);
    EXPECT_EQ(WithThousands(c.n), c.text);
  }
}

TEST(ProgressBarTest, RendersFractionCountsAndRate) {
  EXPECT_EQ(RenderProgress(1, 4, 25000, 100000, 2.0),
            "[######------------------]  25%  tenants 1/4  movements 25,000/100,000  12,500/s");
  EXPECT_EQ(RenderProgress(4, 4, 100000, 100000, 0),
            "[########################] 100%  tenants 4/4  movements 100,000/100,000  0/s");
}

TEST(ProgressBarTest, PlainOutputOnlyPrintsLines) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar bar(f, /*interactive=*/false, 2, 10);
  bar.Update(1, 5);
  bar.Println("tenant 1 done");
  bar.Finish();
  std::rewind(f);
  char buf[128] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, n), "tenant 1 done\n");
}

TEST(ProgressBarTest, TerminalOutputRedrawsInPlace) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar bar(f, /*interactive=*/true, 1, 10);
  bar.Update(0, 5);
  bar.Update(1, 10);  // the last tenant always redraws
  bar.Finish();
  std::rewind(f);
  char buf[1024] = {};
  std::string out(buf, std::fread(buf, 1, sizeof buf - 1, f));
  std::fclose(f);
  EXPECT_EQ(out.front(), '\r');
  EXPECT_EQ(out.back(), '\n');
  EXPECT_NE(out.find("100%  tenants 1/1"), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line only";
}

}  // namespace
}  // namespace iam::app
