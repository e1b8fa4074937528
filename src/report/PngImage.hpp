#pragma once
// RGB images for previews and figures, written as PNG (libpng), with the colour maps the
// figures use.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace p2l {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major RGB

  RgbImage() = default;
  RgbImage(int w, int h, Rgb fill = {}) : width(w), height(h), pixels(size_t(w) * h * 3) {
    for (int i = 0; i < w * h; ++i) set_index(i, fill);
  }
  void set(int x, int y, Rgb c) { set_index(y * width + x, c); }
  Rgb get(int x, int y) const {
    const uint8_t* p = &pixels[(size_t(y) * width + x) * 3];
    return {p[0], p[1], p[2]};
  }
  // Copies `src` with its top-left corner at (x0, y0), clipped to this image.
  void paste(const RgbImage& src, int x0, int y0);

 private:
  void set_index(int i, Rgb c) {
    pixels[size_t(i) * 3] = c.r, pixels[size_t(i) * 3 + 1] = c.g, pixels[size_t(i) * 3 + 2] = c.b;
  }
};

// Colour maps on t in [0, 1] (clamped).
Rgb gray(double t);
Rgb jet(double t);

// Writes atomically; throws naming the path on failure.
void write_png(const std::string& path, const RgbImage& img);
// Reads an 8-bit RGB/RGBA/gray PNG (for tests and compositing).
RgbImage read_png(const std::string& path);

// Draws a tiny 5x7 bitmap label (digits, letters, a few symbols) at (x, y), scaled by `scale`.
void draw_text(RgbImage& img, int x, int y, const std::string& text, Rgb color, int scale = 1);

}  // namespace p2l
