package calibrate

import "math"

// Candidate is one labelled model on one validation prompt.
type Candidate struct {
	Predicted float64 // calibrated quality probability
	Score     float64 // true score
	Cost      float64 // USD of answering: prices x input tokens and true output tokens
	// PredictedCost is the USD the gateway expects before the answer
	// exists (prices x input tokens and predicted output tokens): the
	// gateway's band rule picks by it, so the sweep does too, and then
	// counts what the pick really cost (Cost).
	PredictedCost float64
}

// Prompt is one validation prompt's candidate pool (its labelled models).
type Prompt []Candidate

// BandResult is what a band does on the validation prompts.
type BandResult struct {
	Band float64 `json:"band"`
	// Loss is the mean realised quality lost against the best-predicted
	// candidate, as a share of that candidate's mean realised quality.
	Loss float64 `json:"relative_quality_loss"`
	// CostShare is the mean cost of the chosen models relative to always
	// taking the best-predicted candidate.
	CostShare float64 `json:"cost_share"`
	Quality   float64 `json:"mean_quality"`
}

// ChooseBand returns the largest band on grid whose relative quality loss
// is at most maxLoss (grid ascending; a larger band never costs more, as it
// admits more candidates). With none meeting it, the smallest band.
func ChooseBand(prompts []Prompt, grid []float64, maxLoss float64) (BandResult, error) {
	s := NewSweep(prompts, grid)
	g, err := ChooseOn([]Sweep{s}, maxLoss)
	if err != nil {
		return BandResult{}, err
	}
	return s.At(g), nil
}

// Grid returns 0, step, 2·step, ... up to hi.
func Grid(step, hi float64) []float64 {
	var g []float64
	for i := 0; float64(i)*step <= hi+1e-12; i++ {
		g = append(g, math.Round(float64(i)*step*1e6)/1e6)
	}
	return g
}
