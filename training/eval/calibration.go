package eval

// Calibration compares the router model's mean estimate for one candidate
// with the candidate's true mean on the evaluated prompts. A router can
// rank prompts well and still sit far off a candidate's level (a stand-in
// profile never labelled on this kind of prompt), and then the modes
// misjudge that candidate on every prompt; the table's outcomes do not
// show why, these numbers do.
type Calibration struct {
	// PredictedQuality and TrueQuality are means over the LabelledPrompts
	// evaluated prompts that carry the candidate's true score.
	PredictedQuality float64 `json:"predicted_quality"`
	TrueQuality      float64 `json:"true_quality"`
	// PredictedMinusTrueQuality is negative where the router model
	// under-rates the candidate.
	PredictedMinusTrueQuality float64 `json:"predicted_minus_true_quality"`
	LabelledPrompts           int     `json:"labelled_prompts"`
	// Output tokens are compared only on the OutputTokensPrompts prompts
	// whose true answer length the dataset records (the table fills the
	// others with a mean); absent when it records none.
	PredictedOutputTokens *float64 `json:"predicted_output_tokens,omitempty"`
	TrueOutputTokens      *float64 `json:"true_output_tokens,omitempty"`
	OutputTokensPrompts   int      `json:"output_tokens_prompts,omitempty"`
}

// calibrate returns the candidates of t, each with its Calibration under
// the router estimates est (indexed like t.Rows). The table's candidates
// are left as they are.
func calibrate(t *Table, est RouterEstimates) []Candidate {
	out := make([]Candidate, len(t.Candidates))
	for j, c := range t.Candidates {
		c.Calibration = candidateCalibration(t, est, j)
		out[j] = c
	}
	return out
}

func candidateCalibration(t *Table, est RouterEstimates, j int) *Calibration {
	name := t.Candidates[j].Name
	var predQ, trueQ, predOut, trueOut float64
	var lengths int
	for i, r := range t.Rows {
		// Every row of a table carries every candidate's score (BuildTable
		// skips prompts without one), so each row counts for quality.
		predQ += est.Quality[i][j]
		trueQ += r.Score[j]
		if r.Item == nil {
			continue
		}
		if res, ok := r.Item.Results[name]; ok && res.OutputTokens != nil {
			predOut += est.OutputTokens[i][j]
			trueOut += *res.OutputTokens
			lengths++
		}
	}
	labelled := len(t.Rows)
	if labelled == 0 {
		return nil
	}
	c := &Calibration{
		PredictedQuality: predQ / float64(labelled),
		TrueQuality:      trueQ / float64(labelled),
		LabelledPrompts:  labelled,
	}
	c.PredictedMinusTrueQuality = c.PredictedQuality - c.TrueQuality
	if lengths > 0 {
		p, tr := predOut/float64(lengths), trueOut/float64(lengths)
		c.PredictedOutputTokens, c.TrueOutputTokens, c.OutputTokensPrompts = &p, &tr, lengths
	}
	return c
}
