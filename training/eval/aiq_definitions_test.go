package eval

import (
	"context"
	"io"
	"math"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// routerBenchAIQ ports withmartian/routerbench evaluation/AIQ.py calc_AIQ:
// every router's NDCH is extended flat to the largest cost of all hulls,
// integrated with np.trapz from its own first point (nothing below it) and
// divided by that largest cost (not by max - min).
func routerBenchAIQ(curves [][]Point) []float64 {
	hulls := make([][]Point, len(curves))
	maxX := math.Inf(-1)
	for i, c := range curves {
		hulls[i] = NDCH(c)
		for _, p := range hulls[i] {
			maxX = math.Max(maxX, p.Cost)
		}
	}
	out := make([]float64, len(curves))
	for i, h := range hulls {
		h = append(append([]Point(nil), h...), Point{Cost: maxX, Quality: h[len(h)-1].Quality})
		area := 0.0
		for k := 1; k < len(h); k++ {
			area += (h[k].Cost - h[k-1].Cost) * (h[k].Quality + h[k-1].Quality) / 2
		}
		out[i] = area / maxX
	}
	return out
}

// AIQ normalisation. In the toy dataset the strong model costs
// (100*10 + 200*30)/1e6 = 0.007 per prompt and the weak one
// (100*0.5 + 300*1.5)/1e6 = 0.0005, so the report's cost range is
// [0.0005, 0.007]. RouterBench's code divides each area by the largest
// cost (0.007) and puts nothing under a hull before its first point:
//   - single weak model: q_w * (0.007 - 0.0005) / 0.007 = q_w * 13/14
//   - random (zero router, the segment weak -> strong):
//     (q_w + q_s)/2 * 13/14
//
// aiq, as the paper defines it, divides by (cmax - cmin) and gives q_w and
// (q_w + q_s)/2; aiq_routerbench_code gives the code's numbers.
func TestAIQBothAsThePaperAndAsRouterBenchsCode(t *testing.T) {
	rep := toyRun(t, perfect, Options{})
	w := rep.Baselines["single:weak_model"].Curve[0]
	s := rep.Baselines["single:Strong-Model"].Curve[0]
	require.InDelta(t, 0.0005, w.Cost, 1e-15)
	require.InDelta(t, 0.007, s.Cost, 1e-15)

	assert.InDelta(t, w.Quality*13/14, rep.Baselines["single:weak_model"].AIQFromZero, 1e-9, "single weak model")
	assert.InDelta(t, (w.Quality+s.Quality)/2*13/14, rep.Baselines[BaselineRandom].AIQFromZero, 1e-9, "random = zero router")
	assert.InDelta(t, w.Quality, rep.Baselines["single:weak_model"].AIQ, 1e-9, "the paper's: over the range")
	assert.InDelta(t, (w.Quality+s.Quality)/2, rep.Baselines[BaselineRandom].AIQ, 1e-9)

	// Every result against the port of calc_AIQ over the same curves.
	names := []string{"router"}
	curves := [][]Point{rep.Router.Curve}
	for k, r := range rep.Baselines {
		names = append(names, k)
		curves = append(curves, r.Curve)
	}
	want := routerBenchAIQ(curves)
	for i, n := range names {
		got := rep.Router.AIQFromZero
		if n != "router" {
			got = rep.Baselines[n].AIQFromZero
		}
		assert.InDelta(t, want[i], got, 1e-9, n)
	}
}

// ShareCurve returns on a NaN score (a router model that predicts NaN
// quality): its tie loop compares score == NaN, which is never true, so
// it names the NaN instead of looping for ever (Predict refuses a
// non-finite estimate before that). The child process gives it 30 s, a
// bound on a hang, not on speed: the call takes microseconds, and a
// loaded machine must not fail it.
func TestShareCurveReturnsOnANaNScore(t *testing.T) {
	if os.Getenv("SHARECURVE_NAN_CHILD") == "1" {
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() { _ = recover() }() // a panic naming the NaN is fine
			ShareCurve(toyTable([]float64{1, 0, 1}, []float64{0, 0, 1}), 0, 1, []float64{math.NaN(), 0.5, 0.2})
		}()
		select {
		case <-done:
			os.Exit(0)
		case <-time.After(30 * time.Second):
			os.Exit(3)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestShareCurveReturnsOnANaNScore$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SHARECURVE_NAN_CHILD=1")
	err := cmd.Run()
	require.NoError(t, err, "ShareCurve did not return on a NaN score (exit 3 = still looping after 30 s)")
}

// A router model that predicts a non-finite quality is an error naming the
// prompt, not a number in the report (or a hang in ShareCurve).
func TestPredictRefusesANonFiniteEstimate(t *testing.T) {
	tab := toyTable([]float64{1, 0}, []float64{0, 1})
	p := &routertest.Predictor{PredictFn: func(prompt string) router.Prediction {
		return router.Prediction{"s": {Quality: math.NaN(), OutputTokens: 10}, "w": {Quality: 0.5, OutputTokens: 10}}
	}}
	_, err := Predict(context.Background(), p, tab, 8, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a finite number")
}
