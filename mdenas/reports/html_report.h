// report.html: a run for people, in one self-contained file (inline SVG and
// CSS, no scripts, nothing fetched), readable on screen and on paper. Its
// sections, each an element with the id in brackets: the problems with the
// run's files [problems], the result summary [summary], the architecture
// drawn [architecture], the curves per epoch [curves], every decision's
// distribution over the epochs [distribution], the random candidates
// [candidates], the epochs as a table [epochs] and the spec [spec].

#ifndef MDENAS_REPORTS_HTML_REPORT_H_
#define MDENAS_REPORTS_HTML_REPORT_H_

#include <string>

#include "mdenas/reports/run_files.h"

namespace mdenas {

// The report of `files`. What a missing or damaged file would have shown is
// left out and the problem listed; the rest is shown.
std::string HtmlReport(const RunFiles& files);

}  // namespace mdenas

#endif  // MDENAS_REPORTS_HTML_REPORT_H_
