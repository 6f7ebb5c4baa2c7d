package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
	"github.com/modelrouter/modelrouter/training/progress"
)

// defaultDBPath is where `serve` keeps its database unless told otherwise.
const defaultDBPath = "data/modelrouter.db"

// reportProgressFrom is the log size from which report shows progress.
const reportProgressFrom = 20_000

func init() {
	register(command{name: "report", summary: "summarise the decision log: requests, tokens, cost and savings per deployment and model", run: runReport})
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDBPath, "the router's SQLite database")
	since := fs.String("since", "", "start: RFC 3339 time, date (2026-01-31) or span back from now (7d, 24h); default: the first decision")
	until := fs.String("until", "", "end, exclusive (a date includes that day); same forms as --since; default: now")
	deployment := fs.String("deployment", "", "only this deployment")
	by := fs.String("by", "", `"day" splits rows by UTC day`)
	format := fs.String("format", "table", "table, csv or json")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: modelrouter report [--db FILE] [--since T] [--until T] [--deployment NAME] [--by day] [--format table|csv|json]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("report: unexpected argument %q", fs.Arg(0))
	}
	now := time.Now()
	// As the server's report: the built-in deployment has no stored row.
	q := store.ReportQuery{Builtin: []string{manage.DefaultDeployment}}
	var err error
	if q.Since, q.Until, err = insights.ParseRange(*since, *until, now); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	q.Deployment = *deployment
	switch *by {
	case "":
	case "day":
		q.ByDay = true
	default:
		return fmt.Errorf("report: --by %q: only day is supported", *by)
	}
	write, ok := reportWriters[*format]
	if !ok {
		return fmt.Errorf("report: --format %q: want table, csv or json", *format)
	}

	db, err := openDecisionLog(*dbPath)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer db.Close()
	reports := store.NewReports(db)
	n, err := reports.Count(ctx, q.Range)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var bar *progress.Bar
	if n >= reportProgressFrom {
		bar = progress.New(stderr, n, "report")
		q.Progress = bar.Add
	}
	rep, err := reports.Report(ctx, q)
	// Also when the scan ended short (Ctrl-C): its count then ends with
	// where it stopped, as train's steps do, not with no end line.
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return write(stdout, rep)
}

var reportWriters = map[string]func(io.Writer, *store.Report) error{
	"table": writeReportTable,
	"csv":   writeReportCSV,
	"json": func(w io.Writer, rep *store.Report) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	},
}

// usd is a dollar amount for the table, to four decimals; one that would
// read 0.0000 though it is not zero (a cheap model's call costs about
// $0.00001) gets the decimals its first two significant digits need, as
// the dashboard shows it, at most seven, so that no cell is wider than
// -9999.9999 and the cost table still fits the terminal.
func usd(v float64) string {
	decimals := 4
	if a := math.Abs(v); a > 0 && a < 0.00005 {
		decimals = min(7, 1-int(math.Floor(math.Log10(a))))
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// shown is a logged name as a terminal may print it: one with control
// characters (a log from before names were checked) is quoted.
func shown(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.QuoteToASCII(s)
	}
	return s
}

// cell is a logged name as a spreadsheet may open it: one a spreadsheet
// would run as a formula gets a leading quote.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeReportCSV(w io.Writer, rep *store.Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"day", "deployment", "model", "requests", "errors", "failovers", "prompt_tokens",
		"completion_tokens", "reasoning_tokens", "cached_tokens", "cost_usd", "routed", "routed_expected_cost_usd",
		"strongest_expected_cost_usd", "best_single_expected_cost_usd", "savings_vs_strongest_usd",
		"savings_vs_best_single_usd", "routed_mean_quality", "strongest_mean_quality", "best_single_mean_quality", "answered"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, r := range rep.Rows {
		_ = cw.Write([]string{r.Day, cell(r.Deployment), cell(r.Model), i(r.Requests), i(r.Errors), i(r.Failovers),
			i(r.PromptTokens), i(r.CompletionTokens), i(r.ReasoningTokens), i(r.CachedTokens), f(r.CostUSD),
			i(r.Routed), f(r.RoutedExpectedUSD), f(r.StrongestUSD), f(r.BestSingleUSD), f(r.SavingsStrongest),
			f(r.SavingsBestSingle), f(r.RoutedQuality), f(r.StrongestQuality), f(r.BestSingleQuality), i(r.Answered)})
	}
	cw.Flush()
	return cw.Error()
}
