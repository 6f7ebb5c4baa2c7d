package eval

import (
	"fmt"
	"math/rand/v2"

	"github.com/modelrouter/modelrouter/training/dataset"
)

func ptr(v float64) *float64 { return &v }

// toyDataset builds an in-memory dataset with two models: "Strong-Model"
// (dear) and "weak_model" (cheap). Prompts mentioning "algebra" are solved
// only by the strong model, prompts mentioning "history" by both, and
// prompts mentioning "riddle" only by the weak one (a share wr of them).
func toyDataset(n int, wr float64, seed uint64) *dataset.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &dataset.Dataset{Name: "toy", Models: map[string]dataset.Price{
		"Strong-Model": {Input: 10, Output: 30},
		"weak_model":   {Input: 0.5, Output: 1.5},
	}}
	for i := range n {
		var prompt string
		var s, w float64
		switch u := rng.Float64(); {
		case u < wr:
			prompt, s, w = "a riddle about a cat", 0, 1
		case u < wr+0.3:
			prompt, s, w = "solve this algebra equation for x", 1, 0
		default:
			prompt, s, w = "a history question about rome", 1, 1
		}
		prompt = fmt.Sprintf("%s number %d", prompt, i)
		d.Items = append(d.Items, dataset.Item{
			ID: fmt.Sprintf("toy/%d", i), Prompt: prompt, InputTokens: 100,
			Results: map[string]dataset.Result{
				"Strong-Model": {Score: ptr(s), OutputTokens: ptr(200)},
				"weak_model":   {Score: ptr(w), OutputTokens: ptr(300)},
			},
		})
	}
	return d
}

// toyTable is a two-candidate table with given per-row scores (strong
// first) and constant costs.
func toyTable(strong, weak []float64) *Table {
	t := &Table{Dataset: "toy", Candidates: []Candidate{{Name: "s", Profile: "s"}, {Name: "w", Profile: "w"}}}
	for i := range strong {
		it := &dataset.Item{ID: fmt.Sprint(i)}
		t.Rows = append(t.Rows, Row{Item: it, Score: []float64{strong[i], weak[i]}, OutputTokens: []float64{1, 1}, Cost: []float64{1, 0.1}})
	}
	return t
}
