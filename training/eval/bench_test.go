package eval

import (
	"context"
	"testing"
)

// BenchmarkRun measures everything but the router model: table, kNN
// cross-fit, policies, sweeps and metrics, on 5,000 prompts.
func BenchmarkRun(b *testing.B) {
	tb, err := BuildTable(toyDataset(5000, 0.1, 5), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := predictor(constant)
	b.ResetTimer()
	for range b.N {
		if _, err := Run(context.Background(), tb, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
