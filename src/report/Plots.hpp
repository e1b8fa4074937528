#pragma once
// The report's figures, drawn with PLplot (Cairo drivers), in one include: heatmap overlays
// (paper Figs. 4-5) and predicted-location ellipses (Fig. 2) in SliceFigures, the
// error/variance KDE (Fig. 3) in DensityFigures, training curves in TrainingFigures and per-set
// box plots of a metric per method in BoxPlotFigures (their statistics in BoxStatistics).
// Inputs are plain data; FigureFiles says what every figure writes.
#include "report/BoxPlotFigures.hpp"
#include "report/BoxStatistics.hpp"
#include "report/DensityFigures.hpp"
#include "report/FigureFiles.hpp"
#include "report/SliceFigures.hpp"
#include "report/TrainingFigures.hpp"
