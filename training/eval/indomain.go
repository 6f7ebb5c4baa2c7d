package eval

import "hash/fnv"

// InDomain is a router fitted on some of the evaluated dataset's own
// labels: the knn baseline, or the router model with every candidate's
// profile fitted on them (add-profile's fit). FitPredict learns from the
// train rows of t only and fills est.Quality and est.Cost of the test rows.
type InDomain interface {
	FitPredict(t *Table, train, test []int, est Estimates) error
}

// outOfSample predicts the evaluated rows with r, never from their own
// labels: with a holdout (test set), r fits on train and the estimates
// are indexed like test; without one (test nil) every row of t is
// predicted by r fitted on the other folds (rows split by a hash of their
// id, so every in-domain router sees the same folds).
func outOfSample(r InDomain, t *Table, train, test []int, folds int) (Estimates, error) {
	full := Estimates{Quality: make([][]float64, len(t.Rows)), Cost: make([][]float64, len(t.Rows))}
	if test != nil {
		if err := r.FitPredict(t, train, test, full); err != nil {
			return Estimates{}, err
		}
		est := Estimates{}
		for _, i := range test {
			est.Quality = append(est.Quality, full.Quality[i])
			est.Cost = append(est.Cost, full.Cost[i])
		}
		return est, nil
	}
	if folds < 2 {
		folds = 5
	}
	fold := make([]int, len(t.Rows))
	for i, row := range t.Rows {
		h := fnv.New32a()
		h.Write([]byte(row.Item.ID))
		fold[i] = int(h.Sum32() % uint32(folds))
	}
	for f := range folds {
		var in, out []int
		for i := range t.Rows {
			if fold[i] == f {
				out = append(out, i)
			} else {
				in = append(in, i)
			}
		}
		if len(out) == 0 {
			continue
		}
		if err := r.FitPredict(t, in, out, full); err != nil {
			return Estimates{}, err
		}
	}
	return full, nil
}
