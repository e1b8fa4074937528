#include "report/HtmlReport.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "io/AtomicFile.hpp"

namespace p2l {
namespace {

const char* const kStyle =
    "body{font-family:sans-serif;margin:2em auto;max-width:1400px;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    "th{background:#f0f0f0}td:first-child,td:nth-child(2),th:first-child{text-align:left}"
    "figure{display:inline-block;margin:1em;vertical-align:top}img{max-width:100%;border:1px solid #ddd}"
    "figcaption{font-size:90%;color:#555}pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:85%}";

const char* const kImagesLoadedScript =
    "window.addEventListener('load',function(){var m=document.images,ok=0;"
    "for(var i=0;i<m.length;++i)if(m[i].complete&&m[i].naturalWidth>0)++ok;"
    "document.body.setAttribute('data-images-loaded',ok+'/'+m.length);});";

std::string read_bytes(const std::string& path) {
  if (auto bytes = read_file_if_present(path)) return std::move(*bytes);
  throw std::runtime_error(path + ": cannot read figure for the HTML report");
}

void table(std::ostringstream& os, const HtmlTable& t) {
  os << "<table>\n<tr>";
  for (const auto& h : t.header) os << "<th>" << html_escape(h) << "</th>";
  os << "</tr>\n";
  for (const auto& row : t.rows) {
    os << "<tr>";
    for (const auto& c : row) {
      os << "<td>";
      if (c.href.empty()) os << html_escape(c.text);
      else os << "<a href=\"" << html_escape(c.href) << "\">" << html_escape(c.text) << "</a>";
      os << "</td>";
    }
    os << "</tr>\n";
  }
  os << "</table>\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    const uint32_t a = uint8_t(in[i]), b = i + 1 < in.size() ? uint8_t(in[i + 1]) : 0,
                   c = i + 2 < in.size() ? uint8_t(in[i + 2]) : 0;
    const uint32_t v = (a << 16) | (b << 8) | c;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? k[v & 63] : '=';
  }
  return out;
}

std::string render_html(const HtmlReport& r) {
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
     << html_escape(r.title) << "</title>\n<style>" << kStyle << "</style>\n<script>" << kImagesLoadedScript
     << "</script>\n</head>\n<body>\n<h1>" << html_escape(r.title) << "</h1>\n<p>" << html_escape(r.intro)
     << "</p>\n";
  for (const auto& [heading, t] : r.tables) {
    os << "<h2>" << html_escape(heading) << "</h2>\n";
    table(os, t);
  }
  if (!r.notes.empty()) {
    os << "<h2>Notes</h2>\n<ul>\n";
    for (const auto& n : r.notes) os << "<li>" << html_escape(n) << "</li>\n";
    os << "</ul>\n";
  }
  if (!r.figures.empty()) {
    os << "<h2>Figures</h2>\n";
    for (const auto& f : r.figures)
      os << "<figure><img alt=\"" << html_escape(f.caption) << "\" src=\"data:image/png;base64,"
         << base64(read_bytes(f.png_path)) << "\"><figcaption>" << html_escape(f.caption)
         << "</figcaption></figure>\n";
  }
  auto pairs = [&](const std::string& heading, const std::string& key, const std::string& value,
                   const std::vector<std::pair<std::string, std::string>>& v) {
    if (v.empty()) return;
    HtmlTable t;
    t.header = {key, value};
    for (const auto& [a, b] : v) t.rows.push_back({{a, ""}, {b, ""}});
    os << "<h2>" << html_escape(heading) << "</h2>\n";
    table(os, t);
  };
  pairs("Stage times", "Stage", "Time", r.stages);
  pairs("Software", "Software", "Version", r.versions);
  if (!r.config_yaml.empty())
    os << "<h2>Configuration</h2>\n<pre>" << html_escape(r.config_yaml) << "</pre>\n";
  os << "</body>\n</html>\n";
  return os.str();
}

}  // namespace p2l
