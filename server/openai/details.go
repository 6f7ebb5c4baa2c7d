package openai

import (
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// Details builds model_selection_details from a decision; the answering
// model and the failed attempts are filled in once known.
func Details(d router.Decision, answered string, attempts []router.Attempt) SelectionDetails {
	sd := SelectionDetails{
		Mode:            string(d.Mode),
		ChosenModel:     d.ChosenID,
		AnsweredModel:   answered,
		Candidates:      make([]SelectionCandidate, 0, len(d.Candidates)),
		FallbacksTried:  []FallbackTried{},
		SessionAffinity: d.Affinity,
		RouterLatencyMS: ms(d.Latency),
	}
	for _, c := range d.Candidates {
		sd.Candidates = append(sd.Candidates, SelectionCandidate{
			Model: c.Model, Profile: c.Profile, PredictedQuality: c.Quality, ExpectedCostUSD: c.ExpectedCost, Rank: c.Rank, Reason: c.Reason,
		})
	}
	for _, a := range attempts {
		if a.Model == answered && a.Error == "" {
			continue
		}
		sd.FallbacksTried = append(sd.FallbacksTried, FallbackTried{Model: a.Model, Status: a.Status, Error: a.ClientError()})
	}
	return sd
}

// Route builds the decision-only answer.
func Route(requestID string, d router.Decision, inputTokens int) RouteResponse {
	rr := RouteResponse{
		Object: "route.decision", RequestID: requestID, Deployment: d.Deployment, RouterVersion: d.RouterVersion,
		Mode: string(d.Mode), ChosenModel: d.ChosenID, Fallbacks: make([]string, 0, len(d.Fallbacks)),
		Candidates: make([]RouteCandidate, 0, len(d.Candidates)), BestQuality: d.BestQuality, Threshold: d.Threshold,
		SessionAffinity: d.Affinity, InputTokens: inputTokens, PromptSource: PromptSource, RouterLatencyMS: ms(d.Latency),
	}
	for _, m := range d.Fallbacks {
		rr.Fallbacks = append(rr.Fallbacks, m.ID)
	}
	for _, c := range d.Candidates {
		if c.Model == d.ChosenID && c.Rank == 1 {
			rr.Reason = c.Reason
		}
		rr.Candidates = append(rr.Candidates, RouteCandidate{
			Model: c.Model, Profile: c.Profile, Eligible: c.Eligible, PredictedQuality: c.Quality, PredictedOutputTokens: c.OutputTokens,
			ExpectedCostUSD: c.ExpectedCost, Rank: c.Rank, Reason: c.Reason,
		})
	}
	return rr
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
