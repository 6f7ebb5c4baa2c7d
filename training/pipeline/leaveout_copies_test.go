package pipeline

import (
	"bytes"
	"context"
	"hash/fnv"
	"regexp"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/fit"
	"github.com/stretchr/testify/require"
)

// Leave-one-dataset-out, like leave-one-task-out, drops the copies of the
// left-out dataset's texts in other datasets (the canonical data has 216
// llmrouter prompts in split2_model7; --allow-unlicensed brings them in):
// the "unseen dataset" score is not measured on prompts the retrained
// model saw.
func TestLeaveOneOutDropsCopiesOfTheLeftOutTexts(t *testing.T) {
	dir := t.TempDir()
	a := writeTaskDataset(t, dir, "mmlu-pro", map[string]int{"cats": 20})
	// zeroeval-math repeats one mmlu-pro prompt (other case and spacing).
	copyLine := `{"id": "z/copy", "task": "math", "prompt": "write a POEM  about cats number 0", "results": {"strong": {"score": 0}, "weak": {"score": 1}}}`
	b := writeTaskDataset(t, dir, "zeroeval-math", map[string]int{"math": 30}, copyLine)
	c := loadCorpus(t, a, b)
	require.NoError(t, c.Tokenize(func() (func(string) ([]int64, error), error) {
		return func(s string) ([]int64, error) {
			var ids []int64
			for _, w := range strings.Fields(strings.ToLower(s)) {
				h := fnv.New32a()
				h.Write([]byte(w))
				ids = append(ids, 2+int64(h.Sum32()%40))
			}
			return ids, nil
		}, nil
	}, 16, 0, 1, nil))
	train, _ := c.Split(0, 1) // every prompt trains
	cfg := fit.DefaultConfig()
	cfg.Spec = arch.Spec{Vocab: 42, Buckets: 16, Dim: 4, Hidden: 4, Z: 2, Profiles: len(c.Profiles), MaxLen: 16}
	cfg.Datasets, cfg.Epochs, cfg.Batch = len(c.Datasets), 1, 1 // one step per training prompt
	var log bytes.Buffer
	_, err := leaveOneOut(context.Background(), cfg, 1, c, train, &log)
	require.NoError(t, err)
	m := regexp.MustCompile(`without mmlu-pro: (\d+)/(\d+) done`).FindStringSubmatch(log.String())
	require.NotNil(t, m, log.String())
	require.Equal(t, "30", m[2], "the retrain without mmlu-pro trained on %s prompts: the 30 zeroeval-math ones and the copy of a held-out mmlu-pro text", m[2])
}
