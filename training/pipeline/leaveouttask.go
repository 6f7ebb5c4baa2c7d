package pipeline

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/modelrouter/modelrouter/training/calibrate"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/fit"
)

// Leave-one-task-out defaults. 21 tasks of the licensed data have 200
// prompts or more; at two epochs each (about 1 s per epoch on 2 cores)
// they add about 45 s to `modelrouter train` (65 s in all). Three epochs
// were measured too and were no better. The cap bounds the time when more
// datasets are added (--allow-unlicensed brings 10 more such tasks).
const (
	DefaultLOTOMinPrompts = 200
	DefaultLOTOMaxTasks   = 24
	DefaultLOTOEpochs     = 2
)

// LeaveOneTaskOut is a model trained without one task's prompts (an
// MMLU-Pro category, an LLMRouter benchmark), measured on them: how the
// router does on traffic unlike anything it was trained on.
type LeaveOneTaskOut struct {
	Dataset string `json:"dataset"`
	Task    string `json:"task"`
	Prompts int    `json:"prompts"`
	// RankedPairs are the same-prompt model pairs with different scores,
	// what WithinPromptAUC is computed over.
	RankedPairs     int     `json:"ranked_pairs"`
	WithinPromptAUC float64 `json:"within_prompt_auc"`
	// ProfileOnlyAUC ranks every prompt's models by their mean score on the
	// dataset's other tasks: the ranking without prompt information that
	// the retrained model has to beat.
	ProfileOnlyAUC float64 `json:"profile_only_within_prompt_auc"`
	// WithinTaskAUC and WithinTaskGapAUC rank the task's prompts (see
	// withintask.go): for an unseen benchmark, how well the model finds
	// the prompts a model fails and those where one model leads most.
	WithinTaskAUC    float64 `json:"within_task_auc"`
	WithinTaskGapAUC float64 `json:"within_task_gap_auc"`
	// LengthOnlyWithinTaskAUC ranks the prompts by length alone.
	LengthOnlyWithinTaskAUC float64 `json:"length_only_within_task_auc"`
	// Router is the mean true score of the model Quality mode picks;
	// BestSingle that of the task's best model in hindsight, and
	// TrainedBestSingle that of the model best on the dataset's other
	// tasks (the fixed choice one could have made without the task).
	Router            float64 `json:"router_mean_score"`
	BestSingle        float64 `json:"best_single_mean_score"`
	TrainedBestSingle float64 `json:"trained_best_single_mean_score"`
	Epochs            int     `json:"epochs"`
	// Balanced and Cost are the shipped bands applied to the task's
	// prompts (see UnseenBands); set by chooseBandsWithUnseen.
	Balanced calibrate.BandResult `json:"balanced"`
	Cost     calibrate.BandResult `json:"cost"`
}

// UnseenBands is what the bands do on tasks the model never saw, over all
// leave-one-task-out prompts together. The bands are chosen to keep their
// limits there too (chooseBandsWithUnseen), so Balanced and Cost are not
// out of sample. CrossFit is each task under the band chosen without it
// (on validation and the other tasks) for the shipped target loss, which
// was itself chosen with every task; Nested is each task under the target
// and band both chosen without it: the rule out of sample.
type UnseenBands struct {
	Prompts          int                  `json:"prompts"`
	Balanced         calibrate.BandResult `json:"balanced"`
	Cost             calibrate.BandResult `json:"cost"`
	CrossFitBalanced calibrate.BandResult `json:"cross_fit_balanced"`
	CrossFitCost     calibrate.BandResult `json:"cross_fit_cost"`
	NestedBalanced   calibrate.BandResult `json:"nested_balanced"`
	NestedCost       calibrate.BandResult `json:"nested_cost"`
}

// taskHoldout is one task to leave out.
type taskHoldout struct {
	dataset int
	task    string
	// held is every prompt of the task, training and validation ones.
	held []int
	// train is the training prompts without the task's and without any
	// prompt whose text is one of the task's (the data has copies across
	// datasets), so the retrain never saw a held-out text.
	train []int
}

// taskHoldouts picks the tasks to leave out: (dataset, task) groups of
// quality datasets with at least minPrompts prompts, the largest maxTasks
// of them when there are more (0: no limit), in dataset and task order.
// A task that is its dataset's only one is left to leave-one-dataset-out.
func taskHoldouts(c *corpus.Corpus, train []int, minPrompts, maxTasks int) []taskHoldout {
	type key struct {
		dataset int
		task    string
	}
	groups := map[key][]int{}
	perDataset := map[int]int{}
	for i, ex := range c.Examples {
		perDataset[ex.Dataset]++
		if ex.Task != "" && c.Datasets[ex.Dataset].QualityLabels > 0 {
			k := key{ex.Dataset, ex.Task}
			groups[k] = append(groups[k], i)
		}
	}
	var picked []key
	for k, idx := range groups {
		if len(idx) >= minPrompts && len(idx) < perDataset[k.dataset] {
			picked = append(picked, k)
		}
	}
	sort.Slice(picked, func(a, b int) bool {
		na, nb := len(groups[picked[a]]), len(groups[picked[b]])
		if na != nb {
			return na > nb
		}
		if picked[a].dataset != picked[b].dataset {
			return picked[a].dataset < picked[b].dataset
		}
		return picked[a].task < picked[b].task
	})
	if maxTasks > 0 && len(picked) > maxTasks {
		picked = picked[:maxTasks]
	}
	sort.Slice(picked, func(a, b int) bool {
		if picked[a].dataset != picked[b].dataset {
			return picked[a].dataset < picked[b].dataset
		}
		return picked[a].task < picked[b].task
	})
	out := make([]taskHoldout, 0, len(picked))
	for _, k := range picked {
		held := groups[k]
		texts := make(map[string]bool, len(held))
		for _, i := range held {
			texts[sameText(c.Examples[i].Text)] = true
		}
		var tr []int
		for _, i := range train {
			ex := c.Examples[i]
			if !(ex.Dataset == k.dataset && ex.Task == k.task) && !texts[sameText(ex.Text)] {
				tr = append(tr, i)
			}
		}
		out = append(out, taskHoldout{dataset: k.dataset, task: k.task, held: held, train: tr})
	}
	return out
}

// sameText is the form in which the validation split compares prompts
// (corpus.Split): lower-cased, whitespace collapsed.
func sameText(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// leaveOneTaskOut retrains once per task of taskHoldouts without it and
// measures the model on all of the task's prompts. It also returns each
// task's prompts as the bands see them (the shipped model's Platt scaling
// and answer-length correction), in the order of the results. With own,
// each retrain also learns its tokenizer without the task.
func leaveOneTaskOut(ctx context.Context, cfg fit.Config, members int, c *corpus.Corpus, train []int, minPrompts, maxTasks int,
	platt calibrate.Platt, lengthLog []float64, own ownTokenizer, log io.Writer) ([]LeaveOneTaskOut, [][]calibrate.Prompt, error) {
	var out []LeaveOneTaskOut
	var tasks [][]calibrate.Prompt
	for _, h := range taskHoldouts(c, train, minPrompts, maxTasks) {
		name := c.Datasets[h.dataset].Name + "/" + h.task
		seen := knownProfiles(c, h.train)
		tc, tcfg := c, cfg
		if own != nil {
			var err error
			if tc, tcfg, err = own(h.train); err != nil {
				return nil, nil, err
			}
		}
		p, err := trainOn(ctx, tcfg, members, tc, h.train, "without "+name, log)
		if err != nil {
			return nil, nil, err
		}
		dp := onlyProfiles(predictAll(tc, h.held, p, p.MeanOffset(qualityCounts(c, h.train))), seen)
		r := LeaveOneTaskOut{Dataset: c.Datasets[h.dataset].Name, Task: h.task, Prompts: len(h.held),
			RankedPairs: rankedPairs(dp), Epochs: cfg.Epochs}
		if r.RankedPairs == 0 {
			fmt.Fprintf(log, "leave out task %s: no two models score differently on one of its prompts; nothing to rank\n", name)
			continue
		}
		trained := bestSingleRanking(c, h.train)[h.dataset]
		r.WithinPromptAUC = round4(withinPromptAUC(dp, nil))
		r.ProfileOnlyAUC = round4(withinPromptAUC(profileOnly(dp, trained), nil))
		r.WithinTaskAUC, r.WithinTaskGapAUC = finiteOr(withinTaskAUC(dp), 0.5), finiteOr(withinTaskGapAUC(dp), 0.5)
		r.LengthOnlyWithinTaskAUC = finiteOr(withinTaskAUC(lengthOnly(dp)), 0.5)
		rt := routing(dp, bestSingleRanking(c, h.held)[h.dataset])
		r.Router, r.BestSingle = rt.Router, rt.BestSingle
		r.TrainedBestSingle = routing(dp, trained).BestSingle
		tasks = append(tasks, bandPrompts(dp, platt, lengthLog))
		fmt.Fprintf(log, "leave out task %s (%d prompts): within-prompt AUC %.3f (profile only %.3f), within-task %.3f (length only %.3f), gap %.3f, router %.3f vs best single %.3f\n",
			name, r.Prompts, r.WithinPromptAUC, r.ProfileOnlyAUC, r.WithinTaskAUC, r.LengthOnlyWithinTaskAUC, r.WithinTaskGapAUC, r.Router, r.BestSingle)
		out = append(out, r)
	}
	return out, tasks, nil
}

// rankedPairs counts the same-prompt profile pairs with different scores.
func rankedPairs(dp []prediction) int {
	n := 0
	for _, pr := range dp {
		for _, a := range pr.ex.Labels {
			for _, b := range pr.ex.Labels {
				if a.HasScore() && b.HasScore() && a.Score > b.Score {
					n++
				}
			}
		}
	}
	return n
}
