package fit

import "math"

// BatchLoss is the loss of p on batch, computed plainly, for the tests to
// check the trainer's sharded gradient against.
func (p *Params) BatchLoss(batch []Sample, loss Loss) float64 {
	n := batchNorms(batch)
	total := 0.0
	sc := newScratch(p.Spec)
	for _, smp := range batch {
		p.forward(smp.IDs, sc)
		total += p.qualityLoss(smp, n, loss, sc)
		total += p.taskLoss(smp, n, loss, sc, nil)
		for _, t := range smp.Targets {
			if !math.IsNaN(t.LogLen) {
				e := p.logLength(sc.z, t.Profile) - t.LogLen
				total += loss.LengthWeight * e * e / n.length
			}
		}
	}
	return total
}

// Gradient returns the gradient of BatchLoss (single goroutine; the
// trainer shards the same computation, accumulate).
func (p *Params) Gradient(batch []Sample, loss Loss) *Params {
	gr := newGrads(p)
	n := batchNorms(batch)
	for _, smp := range batch {
		p.accumulate(smp, n, loss, gr)
	}
	return gr.g
}
