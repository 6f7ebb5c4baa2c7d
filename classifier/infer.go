package classifier

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/modelrouter/modelrouter/router"
)

// Output is the model's raw output for one prompt.
type Output struct {
	Quality      []float32 // per profile, in card order
	OutputTokens []float32 // per profile, in card order
	Embedding    []float32 // the prompt's representation z
}

// Predict implements router.Predictor.
func (c *Classifier) Predict(ctx context.Context, prompts []string) ([]router.Prediction, error) {
	outs, err := c.Infer(ctx, prompts)
	if err != nil {
		return nil, err
	}
	preds := make([]router.Prediction, len(outs))
	for i, o := range outs {
		p := make(router.Prediction, c.profiles)
		for m, name := range c.card.Profiles {
			p[name] = router.Estimate{Quality: float64(o.Quality[m]), OutputTokens: float64(o.OutputTokens[m])}
		}
		preds[i] = p
	}
	return preds, nil
}

// Infer tokenizes the prompts (routed texts, read by EncodeWindow), runs
// them in padded batches (prompts of similar length together, so little is
// padding) and returns the raw outputs in the prompts' order.
func (c *Classifier) Infer(ctx context.Context, prompts []string) ([]Output, error) {
	ids := make([][]int64, len(prompts))
	for i, p := range prompts {
		ids[i] = c.tok.EncodeWindow(p, c.head, c.tail)
	}
	return c.InferIDs(ctx, ids)
}

// InferIDs runs token ids that are already tokenized and truncated.
func (c *Classifier) InferIDs(ctx context.Context, ids [][]int64) ([]Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if vocab := int64(c.card.Spec.Vocab); vocab > 0 {
		for i, row := range ids {
			for _, id := range row {
				if id < 0 || id >= vocab { // a negative id would silently wrap in Gather
					return nil, fmt.Errorf("prompt %d: token id %d outside the vocabulary [0, %d)", i, id, vocab)
				}
			}
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil, errors.New("router model is closed")
	}
	out := make([]Output, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	if len(ids) > c.maxBatch {
		sort.SliceStable(order, func(a, b int) bool { return len(ids[order[a]]) < len(ids[order[b]]) })
	}
	var chunks [][]int
	for start := 0; start < len(order); start += c.maxBatch {
		chunks = append(chunks, order[start:min(start+c.maxBatch, len(order))])
	}
	if len(chunks) == 1 { // the common case: no goroutines
		return out, c.runBatch(ids, chunks[0], out)
	}
	errs := make([]error, len(chunks))
	sem := make(chan struct{}, c.parallel)
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = c.runBatch(ids, chunk, out)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// runBatch runs the prompts ids[rows...] as one right-padded batch and
// stores their outputs in out.
func (c *Classifier) runBatch(ids [][]int64, rows []int, out []Output) error {
	seq := 1 // an empty prompt is one masked pad token: Forward of no tokens
	for _, r := range rows {
		seq = max(seq, len(ids[r]))
	}
	n := len(rows)
	flat := make([]int64, 2*n*seq)
	idData, maskData := flat[:n*seq], flat[n*seq:]
	for b, r := range rows {
		copy(idData[b*seq:], ids[r])
		for t := range ids[r] {
			maskData[b*seq+t] = 1
		}
	}
	shape := ort.NewShape(int64(n), int64(seq))
	idT, err := ort.NewTensor(shape, idData)
	if err != nil {
		return fmt.Errorf("router model input: %w", err)
	}
	defer idT.Destroy()
	maskT, err := ort.NewTensor(shape, maskData)
	if err != nil {
		return fmt.Errorf("router model input: %w", err)
	}
	defer maskT.Destroy()

	M, Z := c.profiles, c.z
	results := make([]float32, n*(2*M+Z)) // one allocation for every output row
	q, l, z := results[:n*M], results[n*M:2*n*M], results[2*n*M:]
	qT, err := ort.NewTensor(ort.NewShape(int64(n), int64(M)), q)
	if err != nil {
		return err
	}
	defer qT.Destroy()
	lT, err := ort.NewTensor(ort.NewShape(int64(n), int64(M)), l)
	if err != nil {
		return err
	}
	defer lT.Destroy()
	zT, err := ort.NewTensor(ort.NewShape(int64(n), int64(Z)), z)
	if err != nil {
		return err
	}
	defer zT.Destroy()
	if err := c.session.Run([]ort.Value{idT, maskT}, []ort.Value{qT, lT, zT}); err != nil {
		return fmt.Errorf("router model: %w", err)
	}
	for b, r := range rows {
		out[r] = Output{Quality: q[b*M : (b+1)*M], OutputTokens: l[b*M : (b+1)*M], Embedding: z[b*Z : (b+1)*Z]}
	}
	return nil
}
