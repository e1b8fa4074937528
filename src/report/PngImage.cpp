#include "report/PngImage.hpp"

#include <png.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>

#include "io/AtomicFile.hpp"

namespace p2l {

void RgbImage::paste(const RgbImage& src, int x0, int y0) {
  for (int y = 0; y < src.height; ++y) {
    int ty = y0 + y;
    if (ty < 0 || ty >= height) continue;
    for (int x = 0; x < src.width; ++x) {
      int tx = x0 + x;
      if (tx >= 0 && tx < width) set(tx, ty, src.get(x, y));
    }
  }
}

namespace {

uint8_t to_byte(double v) { return uint8_t(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); }

struct FileCloser {
  void operator()(FILE* f) const {
    if (f) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

// libpng reports errors through longjmp unless an error callback throws; throwing keeps the
// C++ stack unwinding (and the file handles closing) normal.
[[noreturn]] void png_throw(png_structp png, png_const_charp msg) {
  throw std::runtime_error(*static_cast<std::string*>(png_get_error_ptr(png)) + ": " + msg);
}
void png_warn(png_structp, png_const_charp) {}

}  // namespace

Rgb gray(double t) {
  uint8_t v = to_byte(t);
  return {v, v, v};
}

// The classic MATLAB jet: dark blue -> blue -> cyan -> yellow -> red -> dark red.
Rgb jet(double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto ramp = [&](double centre) { return std::clamp(1.5 - std::abs(4.0 * t - centre), 0.0, 1.0); };
  return {to_byte(ramp(3.0)), to_byte(ramp(2.0)), to_byte(ramp(1.0))};
}

void write_png(const std::string& path, const RgbImage& img) {
  if (img.width <= 0 || img.height <= 0) throw std::runtime_error(path + ": cannot write an empty image");
  make_parent_dirs(path);
  const std::string tmp = temp_path_for(path);
  std::string where = path;
  {
    FilePtr f(std::fopen(tmp.c_str(), "wb"));
    if (!f) throw std::runtime_error(path + ": cannot open " + tmp + " for writing");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &where, png_throw, png_warn);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) throw std::runtime_error(path + ": libpng initialisation failed");
    try {
      png_init_io(png, f.get());
      png_set_IHDR(png, info, img.width, img.height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                   PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
      png_write_info(png, info);
      for (int y = 0; y < img.height; ++y)
        png_write_row(png, const_cast<png_bytep>(&img.pixels[size_t(y) * img.width * 3]));
      png_write_end(png, nullptr);
    } catch (...) {
      png_destroy_write_struct(&png, &info);
      std::remove(tmp.c_str());
      throw;
    }
    png_destroy_write_struct(&png, &info);
    if (std::fflush(f.get()) != 0) throw std::runtime_error(path + ": write failed");
  }
  commit_file(tmp, path);
}

RgbImage read_png(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) throw std::runtime_error(path + ": cannot open PNG");
  png_byte sig[8];
  if (std::fread(sig, 1, 8, f.get()) != 8 || png_sig_cmp(sig, 0, 8) != 0)
    throw std::runtime_error(path + ": not a PNG file");
  std::string where = path;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &where, png_throw, png_warn);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) throw std::runtime_error(path + ": libpng initialisation failed");
  RgbImage img;
  try {
    png_init_io(png, f.get());
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    // Normalise every layout to 8-bit RGB.
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_packing(png);
    png_set_palette_to_rgb(png);
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_gray_to_rgb(png);
    png_read_update_info(png, info);
    const int w = int(png_get_image_width(png, info)), h = int(png_get_image_height(png, info));
    if (png_get_rowbytes(png, info) != size_t(w) * 3)
      throw std::runtime_error(path + ": unsupported PNG pixel layout");
    img = RgbImage(w, h);
    std::vector<png_bytep> rows(h);
    for (int y = 0; y < h; ++y) rows[y] = &img.pixels[size_t(y) * w * 3];
    png_read_image(png, rows.data());
    png_read_end(png, nullptr);
  } catch (...) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw;
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return img;
}

namespace {

// 5x7 glyphs: seven rows, bit 4 = leftmost column.
using Glyph = std::array<uint8_t, 7>;
const std::map<char, Glyph>& font() {
  static const std::map<char, Glyph> f = {
      {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
      {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
      {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
      {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
      {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
      {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}}, {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
      {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}}, {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
      {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}}, {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
      {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}}, {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
      {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}}, {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
      {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}}, {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
      {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}}, {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
      {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
      {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}}, {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
      {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}}, {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
      {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
      {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}}, {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
      {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}}, {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
      {' ', {0, 0, 0, 0, 0, 0, 0}},                      {'.', {0, 0, 0, 0, 0, 0x0C, 0x0C}},
      {',', {0, 0, 0, 0, 0x0C, 0x04, 0x08}},             {':', {0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0}},
      {'-', {0, 0, 0, 0x1F, 0, 0, 0}},                   {'+', {0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0}},
      {'=', {0, 0, 0x1F, 0, 0x1F, 0, 0}},                {'_', {0, 0, 0, 0, 0, 0, 0x1F}},
      {'/', {0, 0x01, 0x02, 0x04, 0x08, 0x10, 0}},       {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
      {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}}, {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
      {'#', {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}}, {'<', {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}},
      {'>', {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}}, {'?', {0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04}},
      {'|', {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
  };
  return f;
}

}  // namespace

void draw_text(RgbImage& img, int x, int y, const std::string& text, Rgb color, int scale) {
  scale = std::max(1, scale);
  const auto& f = font();
  int cx = x;
  for (char ch : text) {
    char c = char(std::toupper(static_cast<unsigned char>(ch)));
    auto it = f.find(c);
    const Glyph& g = it != f.end() ? it->second : f.at('?');
    for (int row = 0; row < 7; ++row)
      for (int col = 0; col < 5; ++col)
        if (g[row] & (0x10 >> col))
          for (int dy = 0; dy < scale; ++dy)
            for (int dx = 0; dx < scale; ++dx) {
              int px = cx + col * scale + dx, py = y + row * scale + dy;
              if (px >= 0 && px < img.width && py >= 0 && py < img.height) img.set(px, py, color);
            }
    cx += 6 * scale;  // one blank column between glyphs
  }
}

}  // namespace p2l
