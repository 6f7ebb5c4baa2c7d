// Package routertest holds test doubles for the router's seams.
package routertest

import (
	"context"
	"sync/atomic"

	"github.com/modelrouter/modelrouter/router"
)

var _ router.Predictor = (*Predictor)(nil)

// Predictor returns fixed estimates. PredictFn, when set, decides per
// prompt; otherwise every prompt gets Fixed.
type Predictor struct {
	Fixed     router.Prediction
	PredictFn func(prompt string) router.Prediction
	Err       error
	Calls     atomic.Int64
}

// Predict implements [router.Predictor.Predict].
func (p *Predictor) Predict(_ context.Context, prompts []string) ([]router.Prediction, error) {
	p.Calls.Add(1)
	if p.Err != nil {
		return nil, p.Err
	}
	out := make([]router.Prediction, len(prompts))
	for i, s := range prompts {
		if p.PredictFn != nil {
			out[i] = p.PredictFn(s)
		} else {
			out[i] = p.Fixed
		}
	}
	return out, nil
}
