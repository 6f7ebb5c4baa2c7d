package main

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/modelrouter/modelrouter/store"
)

func writeReportTable(w io.Writer, rep *store.Report) error {
	if rep.Total.Requests == 0 {
		_, err := fmt.Fprintln(w, "no decisions in the selected range")
		return err
	}
	// Two tables with the same rows, traffic then cost: every column the
	// README lists. Token counts are exact unless that would make a line
	// wider than the terminal; then they are rounded to three digits
	// (12.3M), which is what a reader of such counts compares anyway.
	tokens := func(n int64) string { return strconv.FormatInt(n, 10) }
	traffic := func(r store.ReportRow) []string {
		return []string{strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.Errors, 10), strconv.FormatInt(r.Failovers, 10),
			tokens(r.PromptTokens), tokens(r.CompletionTokens), tokens(r.ReasoningTokens), tokens(r.CachedTokens)}
	}
	head := []string{"REQUESTS", "ERRORS", "FAILOVERS", "PROMPT", "OUTPUT", "REASONING", "CACHED"}
	t := reportTable(rep, head, traffic)
	rounded := t.width() > tableWidth
	if rounded {
		tokens = compactCount
		t = reportTable(rep, head, traffic)
	}
	t.write(w)
	note := "\nPROMPT, OUTPUT, REASONING and CACHED are tokens: REASONING is part of OUTPUT; CACHED, read from the\n" +
		"provider's prompt cache, part of PROMPT."
	if rounded {
		note += " k, M and B: thousands, millions and billions, rounded."
	}
	fmt.Fprintln(w, note)
	fmt.Fprintln(w)
	reportTable(rep, []string{"COST $", "EXPECTED $", "SAVED vs STRONGEST", "SAVED vs BEST SINGLE"},
		func(r store.ReportRow) []string {
			return []string{usd(r.CostUSD), usd(r.RoutedExpectedUSD),
				usd(r.SavingsStrongest) + " " + pct(r.SavingsStrongest, r.StrongestUSD),
				usd(r.SavingsBestSingle) + " " + pct(r.SavingsBestSingle, r.BestSingleUSD)}
		}).write(w)
	fmt.Fprintln(w)
	for _, d := range rep.Deployments {
		fmt.Fprintf(w, "%s: best single model %s; mean predicted quality routed %.3f, strongest %.3f, best single %.3f\n",
			shown(d.Deployment), orDash(rep.BestSingle[d.Deployment]), d.RoutedQuality, d.StrongestQuality, d.BestSingleQuality)
	}
	_, err := fmt.Fprintf(w, "\n%s\n", rep.Method)
	return err
}

// reportTable lays out one table of the report: DEPLOYMENT and MODEL, then
// the cells that head and cells give, for each row, each deployment's
// "(all)" and the total. By day, each day's rows follow a line naming the
// day (and "all days" the totals) rather than a DAY column, which leaves
// the full model names room within the terminal's width.
func reportTable(rep *store.Report, head []string, cells func(store.ReportRow) []string) *textTable {
	t := &textTable{left: 2}
	t.add("", append([]string{"DEPLOYMENT", "MODEL"}, head...))
	day := ""
	line := func(r store.ReportRow) {
		if rep.ByDay && r.Day != day {
			day = r.Day
			t.add(day, nil)
		}
		t.add("", append([]string{shown(r.Deployment), shown(r.Model)}, cells(r)...))
	}
	for _, r := range rep.Rows {
		line(r)
	}
	for _, r := range rep.Deployments {
		r.Model, r.Day = "(all)", "all days"
		line(r)
	}
	total := rep.Total
	total.Deployment, total.Model, total.Day = "(all)", "(all)", "all days"
	line(total)
	return t
}

// pct is the share of base that saved is, for the table's savings
// columns, in at most 7 characters so that a savings cell of a row under
// $10,000 (-9999.9999 -999.9%) fits its column's heading width and the
// cost table the terminal. A saving is at most the base (100%), but a
// negative one (the router paid more: a pinned or affine model) may be
// many times a small base: from 1,000% on it is a whole percentage, with
// k, M or B past five digits (-9900%, -123k%). Past -999B% (a base of
// next to nothing) it shows as -999B%.
func pct(saved, base float64) string {
	if base <= 0 {
		return "-"
	}
	p := 100 * saved / base
	if p > -999.95 && p < 999.95 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return compactCount(int64(math.Round(max(min(p, 999e9), -999e9)))) + "%"
}

// compactCount is n in at most six characters: three significant digits
// and k, M or B (12.3M), or exact where that is not longer (1234, not
// 1.23k; 12345, not 12.3k), so that rounding never widens a count nor
// hides a difference for nothing.
func compactCount(n int64) string {
	exact := strconv.FormatInt(n, 10)
	rounded := roundedCount(n)
	if len(exact) <= len(rounded) {
		return exact
	}
	return rounded
}

func roundedCount(n int64) string {
	v, unit := float64(n)/1e3, "k"
	for _, next := range []string{"M", "B"} {
		if v < 999.5 && v > -999.5 { // else it would round to "1000k"
			break
		}
		v, unit = v/1e3, next
	}
	switch a := max(v, -v); {
	case a < 9.995:
		return strconv.FormatFloat(v, 'f', 2, 64) + unit
	case a < 99.95:
		return strconv.FormatFloat(v, 'f', 1, 64) + unit
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + unit
}
