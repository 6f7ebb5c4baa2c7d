package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/outdir"
)

// Summary sets the reports of an eval over several datasets (or tasks)
// side by side, one line each, so that per-benchmark numbers (RouteLLM's
// APGR on MT-Bench, MMLU, GSM8K) are read without scrolling through each
// table; the parts skipped are listed with their reason.
type Summary struct {
	Datasets map[string]SummaryLine `json:"datasets"`
	Skipped  map[string]string      `json:"skipped"`

	order, skippedOrder []string // run order, for the tables
}

// SummaryLine is one report's line: its numbers, as report.json has them.
type SummaryLine struct {
	Prompts    int `json:"prompts"`
	Candidates int `json:"candidates"`
	// RouterQuality is the router's Quality mode; BestSingle the single
	// candidate of highest mean true quality (Result.VsBestSingle), ""
	// and null when the report has no comparison.
	RouterQuality     float64  `json:"router_quality"`
	BestSingle        string   `json:"best_single"`
	BestSingleQuality *float64 `json:"best_single_quality"`
	AIQ               float64  `json:"router_aiq"`
	// Two-model candidate sets only, null otherwise (as in report.json).
	APGR  *float64 `json:"apgr"`
	CPT50 *float64 `json:"cpt50"`
	CPT80 *float64 `json:"cpt80"`
}

// NewSummary is an empty summary.
func NewSummary() *Summary {
	return &Summary{Datasets: map[string]SummaryLine{}, Skipped: map[string]string{}}
}

// Add puts r's line in the summary.
func (s *Summary) Add(r *Report) {
	l := SummaryLine{Prompts: r.Prompts, Candidates: len(r.Candidates), RouterQuality: r.Router.Modes[router.ModeQuality].Quality,
		AIQ: r.Router.AIQ, APGR: r.Router.APGR, CPT50: r.Router.CPT50, CPT80: r.Router.CPT80}
	if v := r.Router.VsBestSingle; v != nil {
		q := v.Quality
		l.BestSingle, l.BestSingleQuality = v.Model, &q
	}
	s.Datasets[r.Dataset] = l
	s.order = append(s.order, r.Dataset)
}

// Skip lists a dataset that was not evaluated, and why.
func (s *Summary) Skip(name, reason string) {
	s.Skipped[name] = reason
	s.skippedOrder = append(s.skippedOrder, name)
}

// Parts is how many datasets were evaluated or skipped.
func (s *Summary) Parts() int { return len(s.order) + len(s.skippedOrder) }

func (l SummaryLine) cells() []string {
	best := "-"
	if l.BestSingleQuality != nil {
		best = fmt.Sprintf("%.3f (%s)", *l.BestSingleQuality, l.BestSingle)
	}
	return []string{fmt.Sprint(l.Prompts), fmt.Sprint(l.Candidates), fmt.Sprintf("%.3f", l.RouterQuality), best,
		fmt.Sprintf("%.3f", l.AIQ), opt(l.APGR, false), opt(l.CPT50, true), opt(l.CPT80, true)}
}

var summaryHeader = []string{"dataset", "prompts", "candidates", "router quality", "best single", "AIQ", "APGR", "CPT(50%)", "CPT(80%)"}

// WriteText writes the terminal summary.
func (s *Summary) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "summary: %d evaluated, %d skipped; router quality in Quality mode\n", len(s.order), len(s.skippedOrder))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	line(summaryHeader)
	for _, n := range s.order {
		line(append([]string{n}, s.Datasets[n].cells()...))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range s.skippedOrder {
		fmt.Fprintf(w, "skipped %s: %s\n", n, s.Skipped[n])
	}
	return nil
}

// WriteMarkdown writes summary.md.
func (s *Summary) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "# Router evaluation summary\n\nOne line per dataset evaluated: router quality is its Quality mode's, the best single model is the candidate of highest mean true quality; APGR and CPT for two-model sets only (each dataset's report.md has the rest).\n\n")
	fmt.Fprintln(w, "| dataset | prompts | candidates | router quality | best single | AIQ | APGR | CPT(50%) | CPT(80%) |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---:|---:|---:|---:|")
	for _, n := range s.order {
		fmt.Fprintf(w, "| %s |", n)
		for _, c := range s.Datasets[n].cells() {
			fmt.Fprintf(w, " %s |", c)
		}
		fmt.Fprintln(w)
	}
	if len(s.skippedOrder) > 0 {
		fmt.Fprintln(w, "\nSkipped:")
		fmt.Fprintln(w)
		for _, n := range s.skippedOrder {
			fmt.Fprintf(w, "- %s: %s\n", n, s.Skipped[n])
		}
	}
	return nil
}

// WriteDir writes summary.json, then summary.md, into dir.
func (s *Summary) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "summary.md"), s.WriteMarkdown)
}

// summaryFiles are the files Summary.WriteDir writes, summary.json first.
var summaryFiles = outdir.Files{
	Command: "eval",
	Names:   []string{"summary.json", "summary.md"},
	Mine:    isSummary,
	What:    "an eval summary (a JSON object with datasets and skipped)",
}

// CheckSummaryOut refuses, before any work, an --out folder whose
// summary files an eval over several datasets would replace but no eval
// wrote (as CheckOut does for a report's files).
func CheckSummaryOut(dir string) error { return summaryFiles.Check(dir) }

// isSummary reports whether b is a summary.json an eval wrote.
func isSummary(b []byte) bool {
	var s struct {
		Datasets *map[string]json.RawMessage `json:"datasets"`
		Skipped  *map[string]string          `json:"skipped"`
	}
	return json.Unmarshal(b, &s) == nil && s.Datasets != nil && s.Skipped != nil
}
