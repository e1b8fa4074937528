#pragma once
// What a report figure leaves on disk. Every figure function (SliceFigures, DensityFigures,
// TrainingFigures, BoxPlotFigures) writes <base>.png (pngcairo) and <base>.pdf (pdfcairo, the
// same page in points), each atomically (temporary name, then rename), and throws naming the
// path when it cannot.
#include <string>

namespace p2l {

struct FigureFiles {
  std::string png, pdf;       // the paths written
  int width = 0, height = 0;  // PNG size in pixels (the PDF's in points)
};

}  // namespace p2l
