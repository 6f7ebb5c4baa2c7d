package classifier

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// sharedData finds shared/data (the datasets) from the working directory or
// any parent, next to the repository; "" when absent.
func sharedData() string {
	if d := os.Getenv("MODELROUTER_SHARED_DATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		for _, c := range []string{filepath.Join(dir, "shared", "data"), filepath.Join(dir, "..", "shared", "data")} {
			if _, err := os.Stat(filepath.Join(c, "canonical")); err == nil {
				return c
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readJSONL decodes every line of path into fn, stopping after limit lines
// that fn accepted (limit <= 0: all).
func readJSONL(t testing.TB, path string, limit int, fn func(line []byte) bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		if fn(sc.Bytes()) {
			n++
			if limit > 0 && n >= limit {
				return
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
}

// realPrompts returns up to perDataset prompts from every canonical dataset
// (every k-th line, so each dataset's whole range is covered), and up to
// answers model answers from arena-hard-auto. It skips the test when the
// data is missing.
func realPrompts(t testing.TB, perDataset, answers int) []string {
	t.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	key := [2]int{perDataset, answers}
	if c, ok := corpusCache[key]; ok {
		return c
	}
	out := loadPrompts(t, perDataset, answers)
	corpusCache[key] = out
	return out
}

var (
	corpusMu    sync.Mutex
	corpusCache = map[[2]int][]string{}
)

func loadPrompts(t testing.TB, perDataset, answers int) []string {
	root := sharedData()
	if root == "" {
		t.Skip("shared/data not found (set MODELROUTER_SHARED_DATA)")
	}
	datasets, _ := filepath.Glob(filepath.Join(root, "canonical", "*", "items.jsonl"))
	sort.Strings(datasets)
	var out []string
	for _, path := range datasets {
		var all []string
		readJSONL(t, path, 0, func(line []byte) bool {
			var item struct {
				Prompt string `json:"prompt"`
			}
			if json.Unmarshal(line, &item) == nil && item.Prompt != "" {
				all = append(all, item.Prompt)
				return true
			}
			return false
		})
		step := max(1, len(all)/perDataset)
		for i := 0; i < len(all) && i/step < perDataset; i += step {
			out = append(out, all[i])
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "arena_hard_auto", "*", "model_answer", "*.jsonl"))
	sort.Strings(files)
	for i := 0; i < len(files) && answers > 0; i += max(1, len(files)/8) {
		readJSONL(t, files[i], answers/8+1, func(line []byte) bool {
			var a struct {
				Choices []struct {
					Turns []struct {
						Content string `json:"content"`
					} `json:"turns"`
				} `json:"choices"`
			}
			if json.Unmarshal(line, &a) != nil || len(a.Choices) == 0 || len(a.Choices[0].Turns) == 0 {
				return false
			}
			out = append(out, a.Choices[0].Turns[0].Content)
			return true
		})
	}
	if len(out) == 0 {
		t.Skip("no prompts found under " + root)
	}
	return out
}
