package eval

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot writes the quality-cost curves (router, nearest-neighbour
// baseline, oracle, random mixes) with the single models as labelled
// points, cost in USD per 1,000 prompts. The cost axis is logarithmic when
// the costs span more than a factor of 10.
func (r *Report) Plot(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: quality vs cost (%d prompts)", r.Dataset, r.Prompts)
	p.X.Label.Text = "USD per 1,000 prompts"
	p.Y.Label.Text = "mean true quality"
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())

	lo, hi := math.Inf(1), math.Inf(-1)
	xys := func(pts []Point) plotter.XYs {
		sorted := append([]Point(nil), pts...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Cost < sorted[j].Cost })
		out := make(plotter.XYs, len(sorted))
		for i, pt := range sorted {
			out[i].X, out[i].Y = 1000*pt.Cost, pt.Quality
			lo, hi = math.Min(lo, out[i].X), math.Max(hi, out[i].X)
		}
		return out
	}
	// Between two operating points a router mixes them at random, which is
	// a straight line in cost; on a log axis it must be drawn in steps.
	dense := func(in plotter.XYs) plotter.XYs {
		if len(in) < 2 {
			return in
		}
		out := plotter.XYs{in[0]}
		for i := 1; i < len(in); i++ {
			a, b := in[i-1], in[i]
			for k := 1; k <= 16; k++ {
				f := float64(k) / 16
				out = append(out, plotter.XY{X: a.X + f*(b.X-a.X), Y: a.Y + f*(b.Y-a.Y)})
			}
		}
		return out
	}
	for i, c := range r.plotted() {
		pts := xys(c.res.Curve)
		line, err := plotter.NewLine(dense(pts))
		if err != nil {
			return fmt.Errorf("plot %s: %w", c.name, err)
		}
		points, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", c.name, err)
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		if c.name == "random" {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		p.Add(line, points)
		p.Legend.Add(fmt.Sprintf("%s (AIQ %.3f)", c.name, c.res.AIQ), line, points)
	}

	var singles plotter.XYs
	var names []string
	for _, c := range r.Candidates {
		s := r.Baselines[singlePrefix+c.Name].Curve
		singles = append(singles, xys(s)...)
		names = append(names, c.Name)
	}
	sc, err := plotter.NewScatter(singles)
	if err != nil {
		return fmt.Errorf("plot single models: %w", err)
	}
	sc.Color = color.Black
	sc.Shape = draw.CrossGlyph{}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: singles, Labels: names})
	if err != nil {
		return fmt.Errorf("plot labels: %w", err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font.Size = vg.Points(7)
	}
	p.Add(sc, labels)
	p.Legend.Add("single models", sc)

	if lo > 0 && hi/lo > 10 {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	return p.Save(20*vg.Centimeter, 14*vg.Centimeter, path)
}

// PlotShare writes RouteLLM's view of a two-model set: mean true quality
// against the share of calls to the strong model, for the router and the
// baselines, with the two models as horizontal lines.
func (r *Report) PlotShare(path string) error {
	if r.Strong == "" {
		return fmt.Errorf("share plot: not a two-model candidate set")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s vs %s (%d prompts)", r.Dataset, r.Strong, r.Weak, r.Prompts)
	p.X.Label.Text = "calls to the strong model (%)"
	p.Y.Label.Text = "mean true quality"
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	for i, c := range r.plotted() {
		pts := make(plotter.XYs, len(c.res.ShareCurve))
		for k, sp := range sortedByShare(c.res.ShareCurve) {
			pts[k].X, pts[k].Y = 100*sp.StrongShare, sp.Quality
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("share plot %s: %w", c.name, err)
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		if c.name == "random" {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(line)
		p.Legend.Add(fmt.Sprintf("%s (APGR %s)", c.name, opt(c.res.APGR, false)), line)
	}
	for _, name := range []string{r.Strong, r.Weak} {
		q := r.Baselines[singlePrefix+name].Curve[0].Quality
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: q}, {X: 100, Y: q}})
		if err != nil {
			return err
		}
		l.Color = color.Gray{Y: 120}
		l.Dashes = []vg.Length{vg.Points(1), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(name, l)
	}
	return p.Save(20*vg.Centimeter, 14*vg.Centimeter, path)
}

// namedResult is one line of a plot.
type namedResult struct {
	name string
	res  Result
}

// plotted are the curves the plots draw: the router, knn, fitted profiles
// when run, the oracle and random.
func (r *Report) plotted() []namedResult {
	out := []namedResult{{"router", r.Router}, {"knn", r.Baselines[BaselineKNN]}}
	if f, ok := r.Baselines[BaselineFitted]; ok {
		out = append(out, namedResult{"fitted profiles", f})
	}
	return append(out, namedResult{"oracle", r.Baselines[BaselineOracle]}, namedResult{"random", r.Baselines[BaselineRandom]})
}
