package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/modelrouter/modelrouter/router"
)

// row is one line of the summary table.
type row struct {
	name, mode string
	o          Outcome
	res        *Result // set on a router's first line: its curve metrics
}

func (r *Report) rows() []row {
	var out []row
	add := func(name string, res Result, modes bool) {
		if !modes {
			out = append(out, row{name: name, mode: "-", o: res.Modes[router.ModeQuality], res: &res})
			return
		}
		for i, m := range []router.Mode{router.ModeQuality, router.ModeBalanced, router.ModeCost} {
			rw := row{name: name, mode: string(m), o: res.Modes[m]}
			if i == 0 {
				rw.res = &res
			}
			out = append(out, rw)
		}
	}
	add("router", r.Router, true)
	for _, n := range r.BaselineNames() {
		add(n, r.Baselines[n], slices.Contains(perPrompt, n))
	}
	return out
}

// shares formats the most used models, most first.
func shares(s map[string]float64, top int) string {
	type kv struct {
		k string
		v float64
	}
	var l []kv
	for k, v := range s {
		if v > 0 {
			l = append(l, kv{k, v})
		}
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].v != l[j].v {
			return l[i].v > l[j].v
		}
		return l[i].k < l[j].k
	})
	var parts []string
	for i, e := range l {
		if i == top {
			parts = append(parts, fmt.Sprintf("+%d more", len(l)-top))
			break
		}
		if e.v < 0.005 {
			parts = append(parts, e.k+" <1%")
		} else {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", e.k, 100*e.v))
		}
	}
	return strings.Join(parts, ", ")
}

func opt(v *float64, pct bool) string {
	switch {
	case v == nil:
		return "-"
	case pct:
		return fmt.Sprintf("%.1f%%", 100**v)
	}
	return fmt.Sprintf("%.3f", *v)
}

func (r *Report) header() string {
	s := fmt.Sprintf("%s: %d prompts", r.Dataset, r.Prompts)
	if r.HoldoutOnly {
		s += fmt.Sprintf(" of the router model's holdout split (%d training prompts left out)", r.NotHoldout)
	}
	s += fmt.Sprintf(", %d skipped (a candidate has no label); bands balanced %.3g, cost %.3g", r.Skipped, r.Bands.Balanced, r.Bands.Cost)
	if r.Strong != "" {
		s += fmt.Sprintf("; strong %s, weak %s", r.Strong, r.Weak)
	}
	if len(r.NoAnswerLengths) > 0 {
		s += fmt.Sprintf("; no answer lengths in the dataset for %s: their cost counts input tokens only",
			strings.Join(r.NoAnswerLengths, ", "))
	}
	if len(r.LeftOut) > 0 {
		s += fmt.Sprintf("; left out, labelled but without a router-model profile: %s (--map datasetModel=profile brings one in)",
			strings.Join(r.LeftOut, ", "))
	}
	return s
}

// WriteText writes the terminal table: cost is USD per 1,000 prompts.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintln(w, r.header())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "router\tmode\tquality\t$/1k prompts\tAIQ\tAPGR\tCPT50\tCPT80\tcalls")
	for _, rw := range r.rows() {
		aiq, apgr, c50, c80 := "", "", "", ""
		if rw.res != nil {
			aiq = fmt.Sprintf("%.3f", rw.res.AIQ)
			apgr, c50, c80 = opt(rw.res.APGR, false), opt(rw.res.CPT50, true), opt(rw.res.CPT80, true)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.4f\t%s\t%s\t%s\t%s\t%s\n", rw.name, rw.mode, rw.o.Quality, 1000*rw.o.Cost, aiq, apgr, c50, c80, shares(rw.o.Share, 3))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range r.vsBestSingleLines() {
		fmt.Fprintln(w, l)
	}
	return r.writeCalibration(w)
}

// writeCalibration writes, after the terminal table, one line per
// candidate with the router model's mean predicted quality next to the
// true mean (nothing for a report without them).
func (r *Report) writeCalibration(w io.Writer) error {
	if !slices.ContainsFunc(r.Candidates, func(c Candidate) bool { return c.Calibration != nil }) {
		return nil
	}
	fmt.Fprintln(w, "predicted vs true mean quality:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range r.Candidates {
		if c.Calibration == nil {
			continue
		}
		k := c.Calibration
		line := fmt.Sprintf("  %s\tprofile %s\tpredicted %.3f\ttrue %.3f\t%+.3f\ton %d prompts", c.Name, c.Profile,
			k.PredictedQuality, k.TrueQuality, k.PredictedMinusTrueQuality, k.LabelledPrompts)
		if out := k.outputTokens(); out != "" {
			line += "\t" + out
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// outputTokens describes the output-token comparison ("" without one).
func (k *Calibration) outputTokens() string {
	if k.OutputTokensPrompts == 0 {
		return ""
	}
	return fmt.Sprintf("output tokens predicted %.0f, true %.0f on %d prompts", *k.PredictedOutputTokens, *k.TrueOutputTokens, k.OutputTokensPrompts)
}

// WriteMarkdown writes report.md's summary table.
func (r *Report) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "# Router evaluation: %s\n\n%s.\n\n", r.Dataset, r.header())
	fmt.Fprintln(w, "Quality is the mean true score of the chosen model; cost is USD per 1,000 prompts (dataset prices x input tokens and true output tokens). AIQ: RouterBench's area under the non-decreasing convex hull of the quality-cost curve, over one cost range for all rows. APGR, CPT: RouteLLM's metrics for a two-model set (share of calls to the strong model).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| router | mode | quality | $/1k prompts | AIQ | APGR | CPT(50%) | CPT(80%) | calls |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---|")
	for _, rw := range r.rows() {
		aiq, apgr, c50, c80 := "", "", "", ""
		if rw.res != nil {
			aiq = fmt.Sprintf("%.3f", rw.res.AIQ)
			apgr, c50, c80 = opt(rw.res.APGR, false), opt(rw.res.CPT50, true), opt(rw.res.CPT80, true)
		}
		fmt.Fprintf(w, "| %s | %s | %.3f | %.4f | %s | %s | %s | %s | %s |\n", rw.name, rw.mode, rw.o.Quality, 1000*rw.o.Cost, aiq, apgr, c50, c80, shares(rw.o.Share, 4))
	}
	if lines := r.vsBestSingleLines(); len(lines) > 0 {
		fmt.Fprintln(w)
		for _, l := range lines {
			fmt.Fprintf(w, "- %s\n", l)
		}
	}
	fmt.Fprintln(w, "\nCandidates:")
	fmt.Fprintln(w)
	for _, c := range r.Candidates {
		fit := ""
		if k := c.Calibration; k != nil {
			fit = fmt.Sprintf("; predicted quality %.3f, true %.3f (%+.3f) on %d prompts", k.PredictedQuality, k.TrueQuality, k.PredictedMinusTrueQuality, k.LabelledPrompts)
			if out := k.outputTokens(); out != "" {
				fit += "; " + out
			}
		}
		fmt.Fprintf(w, "- %s (profile %s, $%g / $%g per M input / output tokens%s)\n", c.Name, c.Profile, c.InputPerMTok, c.OutputPerMTok, fit)
	}
	return nil
}

// predictionLine is one line of predictions.jsonl.
type predictionLine struct {
	ID         string                         `json:"id"`
	Candidates map[string]router.Estimate     `json:"candidates"`
	Chosen     map[router.Mode]string         `json:"chosen"`
	Truth      map[string]map[string]*float64 `json:"truth"`
}

// WritePredictions writes one line per evaluated prompt: the router
// model's estimate per candidate (by dataset model name), the model each
// mode chose and the true score and output tokens.
func (r *Report) WritePredictions(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	t := r.table
	for i, row := range t.Rows {
		l := predictionLine{ID: row.Item.ID, Candidates: map[string]router.Estimate{}, Chosen: map[router.Mode]string{}, Truth: map[string]map[string]*float64{}}
		for j, c := range t.Candidates {
			l.Candidates[c.Name] = router.Estimate{Quality: r.pred.Quality[i][j], OutputTokens: r.pred.OutputTokens[i][j]}
			res := row.Item.Results[c.Name]
			l.Truth[c.Name] = map[string]*float64{"score": res.Score, "output_tokens": res.OutputTokens}
		}
		for _, m := range router.Modes {
			l.Chosen[m] = t.Candidates[router.Pick(r.pred.Quality[i], r.pred.Cost[i], r.Bands.Band(m))].Name
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteDir writes report.json, report.md, predictions.jsonl, curves.png
// and, for a two-model set, share.png into dir.
func (r *Report) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		"report.md":         r.WriteMarkdown,
		"predictions.jsonl": r.WritePredictions,
	} {
		if err := writeFile(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	if err := r.Plot(filepath.Join(dir, "curves.png")); err != nil {
		return err
	}
	if r.Strong != "" {
		return r.PlotShare(filepath.Join(dir, "share.png"))
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
