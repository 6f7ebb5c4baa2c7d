package fit

import (
	"errors"
	"fmt"
)

// Merge combines models of one shape, trained alike from different seeds,
// into one model of the same architecture that predicts the mean of their
// quality logits and of their log lengths: embeddings side by side (Dim
// x K; the elementwise max of the wide rows is each member's max side by
// side too), block-diagonal layers (Hidden x K, Z x K), heads stacked and
// divided by K. Averaging models that differ only by their random start
// removes much of the seed-to-seed noise of one model, and the merged
// model is still an arch model, so the ONNX file keeps its inputs and
// outputs; its embedding output is the mean of the members' z
// (arch.Weights.ZOut), as wide as one member's.
func Merge(members []*Params) (*Params, error) {
	if len(members) == 0 {
		return nil, errors.New("fit: nothing to merge")
	}
	if len(members) == 1 {
		return members[0], nil
	}
	s := members[0].Spec
	for i, m := range members {
		if m.Spec != s || len(m.Off) != len(members[0].Off) {
			return nil, fmt.Errorf("fit: member %d has shape %+v, want %+v", i, m.Spec, s)
		}
	}
	K := len(members)
	ms := s
	ms.Dim, ms.Hidden, ms.Z = s.Dim*K, s.Hidden*K, s.Z*K
	out := zeroParams(ms, len(members[0].Off), 0)
	rows, M := s.Vocab+s.Buckets, s.Profiles
	inv := 1 / float64(K)
	for k, p := range members {
		p = p.folded()
		for r := range rows {
			copy(out.Emb[r*ms.Dim+k*s.Dim:r*ms.Dim+(k+1)*s.Dim], p.Emb[r*s.Dim:(r+1)*s.Dim])
		}
		// W1: each input block of the member (mean, then max with
		// PoolMeanMax) into its columns of the same block of the merged
		// x, whose blocks are K times as wide; the log-length row (last)
		// into its block of the shared last row.
		for j := range s.Inputs() {
			block, col := j/s.Dim, j%s.Dim
			dst := block*ms.Dim + k*s.Dim + col
			if j == s.Inputs()-1 {
				dst = ms.Inputs() - 1
			}
			copy(out.W1[dst*ms.Hidden+k*s.Hidden:dst*ms.Hidden+(k+1)*s.Hidden], p.W1[j*s.Hidden:(j+1)*s.Hidden])
		}
		copy(out.B1[k*s.Hidden:], p.B1)
		for i := range s.Hidden {
			dst := k*s.Hidden + i
			copy(out.W2[dst*ms.Z+k*s.Z:dst*ms.Z+(k+1)*s.Z], p.W2[i*s.Z:(i+1)*s.Z])
		}
		copy(out.B2[k*s.Z:], p.B2)
		for j := range s.Z {
			for m := range M {
				out.QW[(k*s.Z+j)*M+m] = p.QW[j*M+m] * inv
				out.LW[(k*s.Z+j)*M+m] = p.LW[j*M+m] * inv
			}
		}
		for m := range M {
			out.QB[m] += p.QB[m] * inv
			out.LB[m] += p.LB[m] * inv
		}
		for d, o := range p.Off {
			out.Off[d] += o * inv
		}
	}
	// The exported embedding is the members' mean z, as wide as one's.
	out.zOut = make([]float64, ms.Z*s.Z)
	for k := range K {
		for j := range s.Z {
			out.zOut[(k*s.Z+j)*s.Z+j] = inv
		}
	}
	return out, nil
}
