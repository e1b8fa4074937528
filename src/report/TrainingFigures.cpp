#include "report/TrainingFigures.hpp"

#include <plstream.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/PlotCanvas.hpp"

namespace p2l {

using namespace canvas;

namespace {

// The centred mean over `window` values (NaNs skipped): the trend of the noisy per-step loss.
std::vector<double> running_mean(const std::vector<double>& v, size_t window) {
  std::vector<double> out(v.size(), NAN);
  if (window <= 1) return v;
  const size_t half = window / 2;
  for (size_t i = 0; i < v.size(); ++i) {
    double s = 0;
    size_t c = 0;
    for (size_t j = i >= half ? i - half : 0; j <= std::min(v.size() - 1, i + half); ++j)
      if (std::isfinite(v[j])) s += v[j], ++c;
    if (c) out[i] = s / double(c);
  }
  return out;
}

// Values for a log10 axis; NaN where not positive.
std::vector<double> log10_of(const std::vector<double>& v) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] > 0 ? std::log10(v[i]) : NAN;
  return out;
}

}  // namespace

FigureFiles plot_training_curves(const std::string& base, const TrainingSeries& s, const std::string& title) {
  // Wall time in the unit that fits its range.
  double wall_max = 0;
  for (const auto* v : {&s.wall, &s.val_wall})
    for (double x : *v)
      if (std::isfinite(x)) wall_max = std::max(wall_max, x);
  const double unit = wall_max > 2 * 3600 ? 3600 : wall_max > 120 ? 60 : 1;
  const std::string unit_name = unit == 3600 ? "h" : unit == 60 ? "min" : "s";
  auto scaled = [&](const std::vector<double>& v) {
    std::vector<double> out(v);
    for (double& x : out) x /= unit;
    return out;
  };
  const std::vector<double> wall = scaled(s.wall), val_wall = scaled(s.val_wall);
  // A log axis when every loss is positive and they span at least a decade.
  double loss_min = std::numeric_limits<double>::max(), loss_max = -loss_min;
  for (const auto* v : {&s.loss, &s.val_loss})
    for (double x : *v)
      if (std::isfinite(x)) loss_min = std::min(loss_min, x), loss_max = std::max(loss_max, x);
  const bool log_loss = loss_min > 0 && loss_max >= 10 * loss_min;
  const std::vector<double> mean = running_mean(s.loss, std::max<size_t>(1, s.loss.size() / 50));
  const std::vector<double> loss = log_loss ? log10_of(s.loss) : s.loss, mean_y = log_loss ? log10_of(mean) : mean,
                            val_loss = log_loss ? log10_of(s.val_loss) : s.val_loss;
  std::string err_name = s.error_key.empty() ? "validation error" : s.error_key;
  std::replace(err_name.begin(), err_name.end(), '_', ' ');

  const double L = 120, pw = 560, ph = 340, gap = 140, top = 80, vgap = 120;
  const int width = int(L + 2 * pw + gap + 40), height = int(top + 2 * ph + vgap + 80);
  return render(base, width, height, [&](const Page& p) {
    plstream& pls = p.pls;
    p.title(title);
    for (int col = 0; col < 2; ++col) {
      const std::vector<double>& x = col == 0 ? s.step : wall;
      const std::vector<double>& vx = col == 0 ? s.val_step : val_wall;
      const std::string xl = col == 0 ? "step" : "wall time (" + unit_name + ", summed over resumed runs)";
      const double l = L + col * (pw + gap);
      // Loss.
      {
        auto [xa, xb] = range_of({&x, &vx}, 0.02);
        if (col == 0 && xa < 0) xa = 0;
        auto [ya, yb] = range_of({&loss, &val_loss}, 0.05);
        yb += 0.3 * (yb - ya);  // room for the legend
        p.vp(l, top, l + pw, top + ph);
        pls.wind(xa, xb, ya, yb);
        axes(pls, "g", log_loss ? "gl" : "g", kGrid);
        // Raw per-step loss, faint; its running mean and the validation loss on top.
        pls.scol0a(kFill, 31, 119, 180, 0.35);
        pls.col0(kFill);
        line_finite(pls, x, loss);
        pls.col0(series(0));
        pls.width(2.2);
        line_finite(pls, x, mean_y);
        pls.col0(series(1));
        pls.width(2.2);
        line_finite(pls, vx, val_loss);
        text(pls, 3.2);
        points_finite(pls, vx, val_loss, "●");
        axes(pls, "bcnst", log_loss ? "bcstl" : "bcnstv");
        if (log_loss) log_labels(pls, ya, yb);
        axis_labels(pls, xl, log_loss ? "loss (log scale)" : "loss", 4.4);
        panel_title(pls, col == 0 ? "loss against step" : "loss against wall time");
        Legend lg;
        lg.add(Legend::kLine, kFill, "training loss (per step)");
        lg.add(Legend::kLine, series(0), "training loss (running mean)");
        if (!s.val_step.empty()) lg.add(Legend::kLineSymbol, series(1), "validation loss");
        draw_legend(pls, lg, 1, true, 0.08, kSmallText);
      }
      // Validation error.
      {
        const double t = top + ph + vgap;
        auto [xa, xb] = range_of({&x, &vx}, 0.02);
        if (col == 0 && xa < 0) xa = 0;
        auto [ya, yb] = range_of({&s.val_error, &s.val_chance}, 0.08, true);
        yb += 0.3 * (yb - ya);  // room for the legend
        p.vp(l, t, l + pw, t + ph);
        pls.wind(xa, xb, ya, yb);
        axes(pls, "g", "g", kGrid);
        pls.col0(kMidGray);
        pls.width(1.6);
        pls.lsty(2);
        line_finite(pls, vx, s.val_chance);
        pls.lsty(1);
        pls.col0(series(2));
        pls.width(2.2);
        line_finite(pls, vx, s.val_error);
        text(pls, 3.2);
        points_finite(pls, vx, s.val_error, "●");
        axes(pls, "bcnst", "bcnstv");
        axis_labels(pls, xl, "validation " + err_name, 4.4);
        panel_title(pls, "validation " + err_name + (col == 0 ? " against step" : " against wall time"));
        if (s.val_step.empty()) {
          text(pls, kLabelText);
          pls.col0(kDarkGray);
          pls.mtex("t", -3, 0.5, 0.5, "no validation in this log");
        }
        Legend lg;
        lg.add(Legend::kLineSymbol, series(2), "validation " + err_name);
        lg.add(Legend::kLine, kMidGray, "chance level", "●", 2);
        draw_legend(pls, lg, 1, true, 0.08, kSmallText);
      }
    }
  });
}

}  // namespace p2l
