package pretrain

import (
	"math"
	"math/rand/v2"
	"sort"
)

// oversample extra directions make the randomised range finder accurate
// for the top dim singular vectors (Halko, Martinsson, Tropp 2011).
const oversample = 16

// factor returns the rows x dim table U·sqrt(S) of m's rank-dim truncated
// SVD, by a randomised range finder with power iterations.
func (m *csr) factor(dim, iters int, seed uint64) []float64 {
	k := min(dim+oversample, m.cols, m.rows)
	rng := rand.New(rand.NewPCG(seed, 0x707265))
	omega := make([]float64, m.cols*k)
	for i := range omega {
		omega[i] = rng.NormFloat64()
	}
	q := orthonormalise(m.mul(omega, k), m.rows, k)
	for range iters {
		z := orthonormalise(m.tmul(q, k), m.cols, k)
		q = orthonormalise(m.mul(z, k), m.rows, k)
	}
	// B = Qᵀ·M, so B·Bᵀ = (Mᵀ·Q)ᵀ(Mᵀ·Q) = V·Λ·Vᵀ and M ≈ (Q·V)·sqrt(Λ)·(...).
	bt := m.tmul(q, k) // cols x k
	c := make([]float64, k*k)
	for r := range m.cols {
		row := bt[r*k : (r+1)*k]
		for i, a := range row {
			if a == 0 {
				continue
			}
			for j, b := range row {
				c[i*k+j] += a * b
			}
		}
	}
	vals, vecs := symmetricEigen(c, k)
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return vals[idx[a]] > vals[idx[b]] })
	out := make([]float64, m.rows*dim)
	for d := range min(dim, k) {
		e := idx[d]
		w := math.Sqrt(math.Sqrt(max(vals[e], 0))) // sqrt of the singular value
		for r := range m.rows {
			s := 0.0
			for j := range k {
				s += q[r*k+j] * vecs[j*k+e]
			}
			out[r*dim+d] = s * w
		}
	}
	return out
}

// orthonormalise makes the k columns of the rows x k matrix a orthonormal
// (modified Gram-Schmidt, twice for accuracy); a column that vanishes
// becomes zero.
func orthonormalise(a []float64, rows, k int) []float64 {
	for range 2 {
		for j := range k {
			for i := range j {
				dot := 0.0
				for r := range rows {
					dot += a[r*k+i] * a[r*k+j]
				}
				for r := range rows {
					a[r*k+j] -= dot * a[r*k+i]
				}
			}
			norm := 0.0
			for r := range rows {
				norm += a[r*k+j] * a[r*k+j]
			}
			norm = math.Sqrt(norm)
			for r := range rows {
				if norm > 1e-12 {
					a[r*k+j] /= norm
				} else {
					a[r*k+j] = 0
				}
			}
		}
	}
	return a
}

// symmetricEigen diagonalises the symmetric k x k matrix a by cyclic Jacobi
// rotations: eigenvalues, and eigenvectors as the columns of vecs.
func symmetricEigen(a []float64, k int) (vals, vecs []float64) {
	a = append([]float64(nil), a...)
	vecs = make([]float64, k*k)
	for i := range k {
		vecs[i*k+i] = 1
	}
	for range 100 {
		off := 0.0
		for i := range k {
			for j := i + 1; j < k; j++ {
				off += a[i*k+j] * a[i*k+j]
			}
		}
		if off < 1e-22 {
			break
		}
		for p := range k {
			for q := p + 1; q < k; q++ {
				apq := a[p*k+q]
				if math.Abs(apq) < 1e-300 {
					continue
				}
				theta := (a[q*k+q] - a[p*k+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for r := range k { // columns p, q
					arp, arq := a[r*k+p], a[r*k+q]
					a[r*k+p], a[r*k+q] = c*arp-s*arq, s*arp+c*arq
				}
				for r := range k { // rows p, q
					apr, aqr := a[p*k+r], a[q*k+r]
					a[p*k+r], a[q*k+r] = c*apr-s*aqr, s*apr+c*aqr
				}
				for r := range k {
					vrp, vrq := vecs[r*k+p], vecs[r*k+q]
					vecs[r*k+p], vecs[r*k+q] = c*vrp-s*vrq, s*vrp+c*vrq
				}
			}
		}
	}
	vals = make([]float64, k)
	for i := range k {
		vals[i] = a[i*k+i]
	}
	return vals, vecs
}
