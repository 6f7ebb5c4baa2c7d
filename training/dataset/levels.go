package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Levels are model-level scores on one dataset's prompts (a leaderboard):
// how often each model answers that kind of prompt well, with no per-prompt
// outcome. Keys are canonical profile names, values shares in [0, 1].
//
// A leaderboard still carries what the per-prompt datasets lack: where
// models labelled in different datasets stand against each other on the
// same prompts. Arena-Hard's leaderboard ranks GPT-4-turbo (labelled here
// only on maths) and Mixtral (only on MMLU-Pro) on one set of open-ended
// prompts.
type Levels struct {
	Dataset string // the dataset whose prompts the scores were measured on
	File    string
	Scores  map[string]float64
}

// LevelSource is a --levels argument: DATASET=FILE.
type LevelSource struct {
	Dataset, File string
	// Optional sources (the default) are skipped when their dataset is not
	// among the training data; a named one is then an error.
	Optional bool
}

// ParseLevelSource reads DATASET=FILE.
func ParseLevelSource(s string) (LevelSource, error) {
	d, f, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(d) == "" || strings.TrimSpace(f) == "" {
		return LevelSource{}, fmt.Errorf("levels %q: want DATASET=FILE (a CSV with model and score columns, score in percent)", s)
	}
	return LevelSource{Dataset: strings.TrimSpace(d), File: strings.TrimSpace(f)}, nil
}

// DefaultLevelSources is Arena-Hard v0.1's leaderboard on the prompts of
// arena-hard-lengths, next to the canonical datasets, or nil when it is not
// there.
func DefaultLevelSources() []LevelSource { return LevelSourcesNear(DefaultRoot()) }

// LevelSourcesNear is Arena-Hard v0.1's leaderboard on the prompts of
// arena-hard-lengths next to the canonical datasets folder root, or nil
// when it is not there.
func LevelSourcesNear(root string) []LevelSource {
	if root == "" {
		return nil
	}
	f := filepath.Join(filepath.Dir(root), "arena_hard_auto", "leaderboard", "arena_hard_leaderboard_20240731.csv")
	if _, err := os.Stat(f); err != nil {
		return nil
	}
	return []LevelSource{{Dataset: "arena-hard-lengths", File: f, Optional: true}}
}

// LoadLevels reads a leaderboard CSV: a header naming a "model" and a
// "score" column, then one row per model with its score in percent (0 to
// 100), as Arena-Hard writes them. Two rows whose models share a canonical
// name are an error: which one stands for the profile would be a guess.
func LoadLevels(src LevelSource) (*Levels, error) {
	f, err := os.Open(src.File)
	if err != nil {
		return nil, fmt.Errorf("levels %s: %w", src.File, err)
	}
	defer f.Close()
	lv, err := readLevels(f)
	if err != nil {
		return nil, fmt.Errorf("levels %s: %w", src.File, err)
	}
	lv.Dataset, lv.File = src.Dataset, src.File
	return lv, nil
}

func readLevels(r io.Reader) (*Levels, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM)) // Excel's "CSV UTF-8" starts with one
	}
	cr := csv.NewReader(br)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	mi, si := -1, -1
	for i, h := range head {
		switch strings.TrimSpace(strings.ToLower(h)) {
		case "model":
			mi = i
		case "score":
			si = i
		}
	}
	if mi < 0 || si < 0 {
		return nil, fmt.Errorf("header %v: want a model and a score column", head)
	}
	lv := &Levels{Scores: map[string]float64{}}
	rowOf := map[string]string{}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		model := strings.TrimSpace(row[mi])
		score, err := strconv.ParseFloat(strings.TrimSpace(row[si]), 64)
		if err != nil || math.IsNaN(score) || score < 0 || score > 100 || model == "" {
			return nil, fmt.Errorf("line %d: want a model and a score in percent (0-100), got %q, %q", line, row[mi], row[si])
		}
		p := Canonical(model)
		if prev, dup := rowOf[p]; dup {
			return nil, fmt.Errorf("line %d: %s and %s are both profile %s", line, prev, model, p)
		}
		rowOf[p] = model
		lv.Scores[p] = score / 100
	}
	if len(lv.Scores) == 0 {
		return nil, errors.New("no rows")
	}
	return lv, nil
}
