package models_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

// tiers lists catalog models (by name) from more to less capable. Each
// chain is a vendor family ordered by capability and price, or a placement
// across families that routing relies on (o4-mini and gpt-oss-120b above
// gpt-5-nano, DeepSeek-V3.2 above V3.1). Every earlier model's stand-in
// profile must measure better than every later one's on the prompts both
// have labels for (TestStandInsOrderedLikeTheirModels).
var tiers = [][]string{
	{"gpt-5", "gpt-5-mini", "gpt-5-nano"},
	{"gpt-5.2", "gpt-5-mini"},
	{"gpt-5", "o4-mini", "gpt-5-nano"},
	{"gpt-oss-120b", "gpt-5-nano"},
	{"gpt-5.2-chat", "gpt-5-chat"},
	{"gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano"},
	{"gpt-4o", "gpt-4o-mini"},
	{"claude-opus-4-6", "claude-opus-4-1", "claude-sonnet-4-5", "claude-haiku-4-5"},
	{"grok-4", "grok-4-fast-reasoning"},
	{"DeepSeek-V3.2", "DeepSeek-V3.1"},
}

const (
	// minShared is the fewest common prompts a dataset needs before its
	// comparison counts; below it a mean difference says little.
	minShared = 500
	// minZ is the sign-test margin the better stand-in must reach over the
	// prompts where the two disagree: (wins - losses) / sqrt(wins + losses).
	// 1 means it wins at least one standard deviation more than a coin flip.
	minZ = 1.0
	// minLabels is the fewest labelled prompts a stand-in may have.
	minLabels = 500
)

// labelSet holds the quality labels of the licensed datasets:
// dataset -> profile -> prompt id -> score. Dataset model ids are merged
// by canonicalProfile; two ids of one profile on one prompt are averaged.
type labelSet map[string]map[string]map[string]float64

// labelData is what the licensed data says about each profile: quality
// labels, and how many answer lengths it has (arena-hard-lengths included),
// which the router model needs to estimate a model's cost.
type labelData struct {
	quality labelSet
	lengths map[string]int
}

// lengthOnlyDatasets add answer lengths but no quality labels.
var lengthOnlyDatasets = []string{"arena-hard-lengths"}

var cachedLabels *labelData

func loadLabels(t *testing.T) *labelData {
	t.Helper()
	root := sharedDir(t, filepath.Join("data", "canonical"))
	if cachedLabels != nil {
		return cachedLabels
	}
	d := &labelData{quality: labelSet{}, lengths: map[string]int{}}
	for _, ds := range append(append([]string(nil), licensedDatasets...), lengthOnlyDatasets...) {
		q := readLabels(t, filepath.Join(root, ds, "items.jsonl"), d.lengths)
		if !slices.Contains(lengthOnlyDatasets, ds) {
			d.quality[ds] = q
		}
	}
	cachedLabels = d
	return d
}

// readLabels returns profile -> prompt id -> score of one items.jsonl and
// adds the (profile, prompt) pairs with an answer length to lengths.
func readLabels(t *testing.T, path string, lengths map[string]int) map[string]map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	type sum struct {
		total float64
		n     int
	}
	sums := map[string]map[string]sum{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var it struct {
			ID      string `json:"id"`
			Results map[string]struct {
				Score        *float64 `json:"score"`
				OutputTokens *int     `json:"output_tokens"`
			} `json:"results"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &it), path)
		hasLength := map[string]bool{}
		for id, r := range it.Results {
			p := canonicalProfile(id)
			if r.OutputTokens != nil && *r.OutputTokens > 0 {
				hasLength[p] = true
			}
			if r.Score == nil {
				continue
			}
			if sums[p] == nil {
				sums[p] = map[string]sum{}
			}
			s := sums[p][it.ID]
			sums[p][it.ID] = sum{s.total + *r.Score, s.n + 1}
		}
		for p := range hasLength {
			lengths[p]++
		}
	}
	require.NoError(t, sc.Err())
	out := map[string]map[string]float64{}
	for p, items := range sums {
		out[p] = make(map[string]float64, len(items))
		for id, s := range items {
			out[p][id] = s.total / float64(s.n)
		}
	}
	return out
}

// comparison is two profiles on the prompts of one dataset they share.
type comparison struct {
	dataset        string
	shared         int
	hiMean, loMean float64
	hiWins, loWins int
}

func (c comparison) String() string {
	return fmt.Sprintf("%s: %d shared, mean %.3f vs %.3f, wins %d-%d", c.dataset, c.shared, c.hiMean, c.loMean, c.hiWins, c.loWins)
}

// compare measures hi against lo on every dataset where both have labels.
func (l labelSet) compare(hi, lo string) []comparison {
	var out []comparison
	for _, ds := range licensedDatasets {
		a, b := l[ds][hi], l[ds][lo]
		c := comparison{dataset: ds}
		for id, sa := range a {
			sb, ok := b[id]
			if !ok {
				continue
			}
			c.shared++
			c.hiMean += sa
			c.loMean += sb
			switch {
			case sa > sb:
				c.hiWins++
			case sb > sa:
				c.loWins++
			}
		}
		if c.shared < minShared {
			continue
		}
		c.hiMean /= float64(c.shared)
		c.loMean /= float64(c.shared)
		out = append(out, c)
	}
	return out
}

// signZ pools the wins of comparisons into one sign-test statistic.
func signZ(cs []comparison) float64 {
	var w, l int
	for _, c := range cs {
		w += c.hiWins
		l += c.loWins
	}
	if w+l == 0 {
		return 0
	}
	return float64(w-l) / math.Sqrt(float64(w+l))
}

func latestByName(t *testing.T) map[string]router.Model {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	byName := map[string]router.Model{}
	for _, v := range cat.Versions {
		if v.Version != cat.Latest {
			continue
		}
		for _, m := range v.Models {
			byName[m.Name] = m
		}
	}
	return byName
}

// TestCatalogProfilesDistinct: models sharing a profile get identical
// predicted quality, so the cheaper one would always win between them.
func TestCatalogProfilesDistinct(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, v := range cat.Versions {
		owner := map[string]string{}
		for _, m := range v.Models {
			if prev, ok := owner[m.Profile]; ok {
				assert.Failf(t, "shared profile", "router version %s: %s and %s both use profile %q", v.Version, prev, m.ID, m.Profile)
			}
			owner[m.Profile] = m.ID
		}
	}
}

// TestStandInsOrderedLikeTheirModels checks, on the licensed labels, that
// every tier chain's stand-ins are measured in the chain's order: higher
// mean on the shared prompts of every dataset both are labelled on, and a
// sign-test margin of at least minZ over the prompts where they disagree.
// `go test -v -run TestStandIns ./models/` prints the numbers.
func TestStandInsOrderedLikeTheirModels(t *testing.T) {
	labels := loadLabels(t).quality
	byName := latestByName(t)
	checked := map[[2]string]bool{}
	for _, chain := range tiers {
		for i, hiName := range chain {
			for _, loName := range chain[i+1:] {
				if checked[[2]string{hiName, loName}] {
					continue
				}
				checked[[2]string{hiName, loName}] = true
				hi, okHi := byName[hiName]
				lo, okLo := byName[loName]
				require.True(t, okHi && okLo, "%s or %s is not in the latest router version", hiName, loName)
				cs := labels.compare(hi.Profile, lo.Profile)
				require.NotEmpty(t, cs, "%s (%s) and %s (%s) share no dataset with %d+ labelled prompts: their order cannot be measured",
					hiName, hi.Profile, loName, lo.Profile, minShared)
				z := signZ(cs)
				parts := make([]string, len(cs))
				for k, c := range cs {
					parts[k] = c.String()
					assert.Greater(t, c.hiMean, c.loMean, "%s (%s) must measure above %s (%s) on %s",
						hiName, hi.Profile, loName, lo.Profile, c.dataset)
				}
				assert.GreaterOrEqual(t, z, minZ, "%s (%s) over %s (%s): sign-test z", hiName, hi.Profile, loName, lo.Profile)
				t.Logf("%s > %s: %s > %s; %s; z=%.1f", hiName, loName, hi.Profile, lo.Profile, strings.Join(parts, "; "), z)
			}
		}
	}
}

// TestStandInsHaveLabels checks each stand-in has enough labelled prompts
// to be learned at all, and prints (with -v) its datasets, label counts,
// mean scores and answer-length count: the numbers the profile table in
// the README cites. A stand-in without lengths is allowed (training gives
// it the mean answer length) but is printed as such.
func TestStandInsHaveLabels(t *testing.T) {
	data := loadLabels(t)
	labels := data.quality
	byName := latestByName(t)
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := byName[n].Profile
		total := 0
		var parts []string
		for _, ds := range licensedDatasets {
			items := labels[ds][p]
			if len(items) == 0 {
				continue
			}
			var s float64
			for _, v := range items {
				s += v
			}
			total += len(items)
			parts = append(parts, fmt.Sprintf("%s %d, %.3f", ds, len(items), s/float64(len(items))))
		}
		assert.GreaterOrEqual(t, total, minLabels, "%s: stand-in %s has too few labelled prompts", n, p)
		t.Logf("%-40s %-34s %s; %d answer lengths", n, p, strings.Join(parts, "; "), data.lengths[p])
	}
}
