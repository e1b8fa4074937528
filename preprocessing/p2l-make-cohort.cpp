// p2l-make-cohort: writes the embedded default cohort (SPEC section 10) into data.data_dir.
#include <cstdio>
#include <exception>
#include <iostream>

#include "cohort/CohortGenerator.hpp"
#include "config/Config.hpp"

int main(int argc, char** argv) {
  try {
    p2l::Config cfg = p2l::parse_command_line(
        argc, argv, "p2l-make-cohort",
        "Generates the default cohort from the Colin27 brain (Debian mricron-data): healthy subjects and\n"
        "the lesion sets tumor, ms, stroke, wmh and heterotopia, as NIfTI in the layout of the real data,\n"
        "with split CSVs and PNG previews, into data.data_dir. Reruns with unchanged cohort settings reuse it.");
    const p2l::CohortSummary s = p2l::generate_cohort(cfg);
    const std::string dir = cfg.data.data_dir;
    if (s.reused) {
      std::cout << "p2l-make-cohort: cohort in " << dir << " is up to date (same cohort_config.yaml, all "
                << s.subjects << " subjects present); nothing regenerated\n";
      return 0;
    }
    std::cout << "p2l-make-cohort: wrote " << s.subjects - s.errors.size() << "/" << s.subjects << " subjects to "
              << dir << " in " << s.seconds << " s (" << s.grid << ")\n"
              << "  healthy (Train/ixi): " << s.healthy << " = " << cfg.cohort.n_train + cfg.cohort.n_val
              << " train/val pool + " << cfg.cohort.n_test_healthy << " test\n";
    for (const auto& set : s.sets)
      std::cout << "  " << set.first << " (Test/" << set.first << "): " << set.second << " = "
                << cfg.cohort.n_test_per_set << " test + " << cfg.cohort.n_val_per_set << " val\n";
    std::cout << "  splits: " << s.splits << " CSVs in " << dir << "/splits\n"
              << "  previews: " << s.previews << " PNGs in " << dir << "/previews\n"
              << "  config: " << dir << "/cohort_config.yaml, log: " << dir << "/cohort.log\n";
    if (!s.errors.empty()) {
      std::cerr << "p2l-make-cohort: " << s.errors.size() << " failure(s):\n";
      for (const auto& e : s.errors) std::cerr << "  " << e << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "p2l-make-cohort: " << e.what() << "\n";
    return 1;
  }
}
