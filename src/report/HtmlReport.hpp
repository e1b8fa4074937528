#pragma once
// report/index.html: one self-contained page (figures embedded as data: URIs, no external
// style or script) with the benchmark table, notes, figures, per-volume rows linking to their
// overlay images, the run's configuration, software versions and stage times. When the page has
// loaded, a small inline script sets <body data-images-loaded="loaded/total"> so a headless
// browser (and its tests) can tell that every image decoded.
#include <string>
#include <utility>
#include <vector>

namespace p2l {

struct HtmlCell {
  std::string text;
  std::string href;  // empty: plain text; else a link (relative to the page)
};

struct HtmlTable {
  std::vector<std::string> header;
  std::vector<std::vector<HtmlCell>> rows;
};

struct HtmlFigure {
  std::string caption;
  std::string png_path;  // read and embedded
};

struct HtmlReport {
  std::string title, intro;
  std::vector<std::pair<std::string, HtmlTable>> tables;  // (heading, table), in order
  std::vector<std::string> notes;
  std::vector<HtmlFigure> figures;
  std::string config_yaml;
  std::vector<std::pair<std::string, std::string>> versions;  // (software, version)
  std::vector<std::pair<std::string, std::string>> stages;    // (stage, time)
};

// The page; throws naming a figure file that cannot be read.
std::string render_html(const HtmlReport& r);

// Escapes &, <, >, " for HTML text and attributes.
std::string html_escape(const std::string& s);
std::string base64(const std::string& bytes);

}  // namespace p2l
