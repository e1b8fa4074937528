// report/index.html: escaping and base64 against known answers, and the page in a real browser
// (headless Chromium): the table and links are in the DOM and every image decodes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "report/HtmlReport.hpp"
#include "report/PngImage.hpp"

using namespace p2l;
namespace fs = std::filesystem;

namespace {

const char* const kChromium = "/usr/bin/chromium";

// The DOM after load, as headless Chromium dumps it.
std::string dump_dom(const fs::path& page) {
  const std::string cmd = std::string(kChromium) +
                          " --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 --dump-dom 'file://" +
                          page.string() + "' 2>/dev/null";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

}  // namespace

TEST(ReportHtml, EscapingAndBase64) {
  EXPECT_EQ(html_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
  EXPECT_EQ(base64("Man"), "TWFu");
  EXPECT_EQ(base64("Ma"), "TWE=");
  EXPECT_EQ(base64("M"), "TQ==");
  EXPECT_EQ(base64(""), "");
}

TEST(ReportHtml, PageLoadsInAHeadlessBrowserWithEveryImage) {
  const fs::path dir = fs::temp_directory_path() / ("p2l_html_" + std::to_string(getpid()));
  fs::create_directories(dir);
  write_png((dir / "a.png").string(), RgbImage(30, 20, {255, 0, 0}));
  write_png((dir / "b.png").string(), RgbImage(10, 40, {0, 0, 255}));
  { std::ofstream(dir / "broken.png") << "not a png"; }
  HtmlReport r;
  r.title = "Run <1>";
  r.intro = "intro";
  HtmlTable t;
  t.header = {"Method", "Dice"};
  t.rows = {{{"Patch2Loc", ""}, {"0.5", ""}}, {{"tumor_sim_000", "figures/volumes/tumor_sim_000.png"}, {"0.4", ""}}};
  r.tables = {{"Benchmark", t}};
  r.figures = {{"red", (dir / "a.png").string()}, {"blue", (dir / "b.png").string()}};
  r.config_yaml = "run:\n  seed: 3141\n";
  r.versions = {{"LibTorch", "1.13"}};
  r.stages = {{"train", "4m33s"}};
  const std::string html = render_html(r);
  EXPECT_NE(html.find("<title>Run &lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
  EXPECT_EQ(html.find("src=\"" + (dir / "a.png").string()), std::string::npos);  // embedded, not linked
  std::ofstream(dir / "index.html") << html;
  r.figures.push_back({"broken", (dir / "broken.png").string()});
  std::ofstream(dir / "broken.html") << render_html(r);
  r.figures.push_back({"missing", (dir / "nope.png").string()});
  EXPECT_THROW(render_html(r), std::runtime_error);

  if (!fs::exists(kChromium)) {
    fs::remove_all(dir);
    GTEST_SKIP() << kChromium << " not installed (scripts/setup.sh installs Debian's chromium): browser check skipped";
  }
  const std::string dom = dump_dom(dir / "index.html");
  EXPECT_NE(dom.find("data-images-loaded=\"2/2\""), std::string::npos) << dom.substr(0, 400);
  EXPECT_NE(dom.find("<table>"), std::string::npos);
  EXPECT_NE(dom.find("href=\"figures/volumes/tumor_sim_000.png\""), std::string::npos);
  EXPECT_NE(dom.find("seed: 3141"), std::string::npos);
  // An image that does not decode is counted as not loaded.
  EXPECT_NE(dump_dom(dir / "broken.html").find("data-images-loaded=\"2/3\""), std::string::npos);
  fs::remove_all(dir);
}
