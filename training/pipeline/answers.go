package pipeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// DefaultAnswersDir is where the Arena-Hard model answers lie next to the
// canonical datasets (../shared/data/arena_hard_auto/...), or "".
func DefaultAnswersDir() string { return AnswersDirNear(dataset.DefaultRoot()) }

// AnswersDirNear is where the Arena-Hard model answers lie next to the
// canonical datasets folder root, or "" for no root.
func AnswersDirNear(root string) string {
	if root == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(root), "arena_hard_auto", "arena-hard-v0.1", "model_answer")
}

// noAnswers says why dir gives no answers; dir is "" when no
// ../shared/data was found to look next to.
func noAnswers(dir string) string {
	if dir == "" {
		return "no Arena-Hard answers folder: none was found (arena_hard_auto/arena-hard-v0.1/model_answer beside the --data folder, or ../shared/data/arena_hard_auto/... above the working directory) and --answers-dir was not given"
	}
	return fmt.Sprintf("no *.jsonl files in %s", dir)
}

// checkAnswers stops a run before any data is read when the token vectors
// need Arena-Hard answers and there are none, rather than after reading
// and tokenizing every dataset.
func checkAnswers(opt Options) error {
	if opt.PretrainScale <= 0 || opt.PretrainAnswers <= 0 || opt.PretrainPrompts {
		return nil
	}
	if opt.AnswersDir != "" {
		if files, err := filepath.Glob(filepath.Join(opt.AnswersDir, "*.jsonl")); err == nil && len(files) > 0 {
			return nil
		}
	}
	return fmt.Errorf("the token vectors start from Arena-Hard model answers, and there are none: %s; pass --answers-dir DIR (a folder of <model>.jsonl answer files), "+
		"or --pretrain-scale 0 for a random start (with --tokenizer-answers 0 the tokenizer learns from the training prompts only, without a warning)", noAnswers(opt.AnswersDir))
}

// AnswerTexts reads up to n answer texts from a folder of Arena-Hard answer
// files (<model>.jsonl, one answer per line), the same number from each
// model in file-name order, so the pick is deterministic. They widen the
// tokenizer's vocabulary beyond benchmark phrasing (code, prose, lists):
// real prompts look more like chat than like MMLU.
func AnswerTexts(dir string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("answers: %s", noAnswers(dir))
	}
	sort.Strings(files)
	per := (n + len(files) - 1) / len(files)
	var out []string
	for _, f := range files {
		texts, err := readAnswers(f, per)
		if err != nil {
			return nil, err
		}
		out = append(out, texts...)
	}
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func readAnswers(path string, limit int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var out []string
	for line := 1; len(out) < limit && sc.Scan(); line++ {
		var a struct {
			Choices []struct {
				Turns []struct {
					Content string `json:"content"`
				} `json:"turns"`
			} `json:"choices"`
		}
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			return nil, fmt.Errorf("answers: %s line %d: %w", path, line, err)
		}
		for _, c := range a.Choices {
			for _, t := range c.Turns {
				if t.Content != "" {
					out = append(out, t.Content)
				}
			}
		}
	}
	return out, sc.Err()
}
