package fit

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitAdditiveRecoversLevelsAcrossDatasets(t *testing.T) {
	// Profile 0 is on both datasets, 1 only on dataset 0, 2 only on
	// dataset 1, 3 nowhere; dataset 1 is 1.5 logits easier.
	const M, D = 4, 2
	wantB, wantOff := []float64{0.2, 1.0, -0.5, 0}, []float64{-0.6, 0.9}
	y, w := make([]float64, M*D), make([]float64, M*D)
	obs := map[[2]int]float64{{0, 0}: 100, {0, 1}: 300, {1, 0}: 50, {2, 1}: 80}
	for k, n := range obs {
		y[k[0]*D+k[1]] = wantB[k[0]] + wantOff[k[1]]
		w[k[0]*D+k[1]] = n
	}
	b, off := make([]float64, M), make([]float64, D)
	b[3] = 7 // no observations: left alone
	fitAdditive(y, w, M, D, b, off)

	// Only differences are identified; the offsets' weighted mean is 0.
	assert.InDelta(t, wantOff[1]-wantOff[0], off[1]-off[0], 1e-9)
	assert.InDelta(t, wantB[1]-wantB[2], b[1]-b[2], 1e-9)
	assert.InDelta(t, wantB[0]-wantB[1], b[0]-b[1], 1e-9)
	assert.InDelta(t, 0, (150*off[0]+380*off[1])/530, 1e-9)
	assert.Equal(t, 7.0, b[3])
	for _, k := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {2, 1}} {
		assert.InDelta(t, y[k[0]*D+k[1]], b[k[0]]+off[k[1]], 1e-9, "fits observation %v", k)
	}
}

// Profile 0 scores 0.2 on dataset 0 and 0.6 on dataset 1; profiles 1 and
// 2 both score 0.5, but 1 on the hard dataset 0 and 2 on the easy one. The
// joint start ranks 1 above 2; the raw start cannot tell them apart.
func TestJointBiasStartComparesProfilesAcrossDatasets(t *testing.T) {
	var samples []Sample
	add := func(dataset, profile, n int, mean float64) {
		for i := range n {
			score := 0.0
			if float64(i) < mean*float64(n) {
				score = 1
			}
			samples = append(samples, Sample{IDs: []int64{2}, Dataset: dataset, Task: -1,
				Targets: []Target{{Profile: profile, Score: score, LogLen: math.NaN()}}})
		}
	}
	add(0, 0, 100, 0.2)
	add(1, 0, 100, 0.6)
	add(0, 1, 100, 0.5)
	add(1, 2, 100, 0.5)
	spec := tinySpec
	spec.Profiles = 3

	joint := zeroParams(spec, 2, 0)
	initBiases(joint, samples, false)
	assert.Greater(t, joint.QB[1]-joint.QB[2], 1.0, "0.5 on the hard dataset beats 0.5 on the easy one")
	// Each (profile, dataset) mean is reproduced by bias + offset.
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	assert.InDelta(t, logit(0.5), joint.QB[1]+joint.Off[0], 1e-6)
	assert.InDelta(t, logit(0.5), joint.QB[2]+joint.Off[1], 1e-6)
	assert.InDelta(t, logit(0.2)-logit(0.6), joint.Off[0]-joint.Off[1], 1e-6)

	raw := zeroParams(spec, 2, 0)
	initBiases(raw, samples, true)
	assert.InDelta(t, raw.QB[1], raw.QB[2], 1e-12)
	assert.Equal(t, []float64{0, 0}, raw.Off)
	require.InDelta(t, logit(0.4), raw.QB[0], 1e-9, "profile 0's mean over both datasets")
}
