#pragma once
// CSV fields as the tables of this project write them (RFC 4180: a field with a comma, quote
// or newline is quoted, quotes doubled).
#include <string>
#include <vector>

namespace p2l {

// `s` in double quotes, inner quotes doubled.
std::string csv_quote(const std::string& s);
// A number as the tables write it: 6 significant digits, "nan" for NaN.
std::string csv_number(double x);
// The fields of one line; quoted fields lose their quotes.
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace p2l
